package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large byte arrays cross through files of their own, in both directions, and leave nothing behind. */
class SharedArraysTest {
    private static final int LARGE = 3 << 20;

    @TempDir
    Path queues;

    private List<Path> arrayFiles() throws IOException {
        try (Stream<Path> files = Files.walk(queues)) {
            return files.filter(f -> f.getFileName().toString().startsWith("array-")).toList();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldPassLargeArraysBothWaysAsTheyWereAndDeleteTheirFiles() throws IOException {
        try (ProcessPool pool = ProcessPool.builder().processes(2).queueDirectory(queues).build()) {
            byte[] payload = random(LARGE, 1);
            byte[] back = pool.apply((byte[] b) -> {
                byte[] copy = b.clone();
                copy[b.length - 1] ^= 1;
                return copy;
            }, payload);
            payload[LARGE - 1] ^= 1;
            assertArrayEquals(payload, back);
            List<byte[]> many = List.of(random(LARGE, 2), random(100, 3), random(LARGE + 1, 4));
            assertEquals(List.of(LARGE, 100, LARGE + 1), pool.map((byte[] b) -> b.length, many, 1));
            Map<String, byte[]> nested = pool.apply((Integer n) -> Map.of("a", random(n, 5), "b", random(10, 6)),
                    LARGE);
            assertArrayEquals(random(LARGE, 5), nested.get("a"));
            assertArrayEquals(random(10, 6), nested.get("b"));
            assertEquals(List.of(), arrayFiles(), "every file was read and deleted");
            assertTrue(pool.stats().bytesToWorkers() >= 3L * LARGE, pool.stats().toString());
            assertTrue(pool.stats().bytesFromWorkers() >= 2L * LARGE, pool.stats().toString());
        }
        try (Stream<Path> left = Files.list(queues)) {
            assertEquals(List.of(), left.toList(), "the pool's directory is gone after close");
        }
    }
}
