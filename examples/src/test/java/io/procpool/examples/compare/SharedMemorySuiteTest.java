package io.procpool.examples.compare;

import io.procpool.examples.compare.Results.SharedSum;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedMemorySuiteTest {
    /** 1 MiB of doubles: the section's logic on real workers in a few seconds. */
    private static final int DOUBLES = 128 * 1024;

    @Test
    void shouldSumBothWaysExactlyAndSendOnlyTheBlocksNameWhenShared() throws Exception {
        Plan plan = Plan.quick(2);
        Results results = new Results(null, plan);
        try (Progress progress = new Progress(SharedMemorySuite.STEPS)) {
            new SharedMemorySuite(2, DOUBLES, 0, 1, results, progress).run();
        }

        assertEquals(List.of(), results.notes);
        assertEquals(2, results.sharedMemory.size());
        SharedSum arrays = results.sharedMemory.get(0);
        SharedSum shared = results.sharedMemory.get(1);
        assertTrue(arrays.exact() && shared.exact(), () -> "sums: " + results.sharedMemory);
        assertTrue(arrays.firstMillis() > 0 && shared.firstMillis() > 0, () -> "first maps: " + results.sharedMemory);
        // Each slice crossed as its doubles, so the arrays' map sent at least the input.
        assertTrue(arrays.bytesPerMap() >= (long) DOUBLES * Double.BYTES, () -> "arrays: " + arrays);
        // The block crossed as its name: a few hundred bytes for the whole map, however large the input.
        assertTrue(shared.bytesPerMap() < 16 * 1024, () -> "block: " + shared);
        assertEquals(2, shared.pssAfterMib().size(), () -> "worker PSS: " + shared);
        // The block was unlinked at the end: none of this process's blocks is left.
        String mine = "procpool-shm-" + ProcessHandle.current().pid() + "-";
        for (Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(mine)),
                            "a block is left in " + dir);
                }
            }
        }
    }
}
