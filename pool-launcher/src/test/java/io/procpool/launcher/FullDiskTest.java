package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.worker.internal.transport.QueueSizes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Queues on a file system that is full, or too small for a message: a clear error, never a SIGBUS. Runs on a small
 * tmpfs of its own, which needs the right to mount (root, as on the CI machines); elsewhere it is skipped.
 */
class FullDiskTest {
    @TempDir
    Path temp;
    private final java.util.List<Path> mounted = new java.util.ArrayList<>();

    private Path smallFileSystem(int mebibytes) throws IOException, InterruptedException {
        Path mountPoint = temp.resolve("small-" + mebibytes);
        java.nio.file.Files.createDirectories(mountPoint);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs",
                mountPoint.toString()).redirectErrorStream(true).start();
        boolean done = mount.waitFor(10, TimeUnit.SECONDS);
        assumeTrue(done && mount.exitValue() == 0, "cannot mount a tmpfs here: "
                + new String(mount.getInputStream().readAllBytes()));
        mounted.add(mountPoint);
        return mountPoint;
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        for (Path mountPoint : mounted) {
            // Lazy: a worker that has just exited may still hold a mapping for a moment.
            new ProcessBuilder("umount", "-l", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseToStartOnAFileSystemWithoutRoomForItsQueues() throws Exception {
        // Even the smallest queues of one worker (1 MiB segments) need 4 MiB, and 2 MiB free beside them.
        Path tiny = smallFileSystem(4);
        PoolException e = assertThrows(PoolException.class,
                () -> ProcessPool.builder().processes(1).queueDirectory(tiny).build());
        assertTrue(e.getMessage().contains("too small") && e.getMessage().contains("MiB free")
                && e.getMessage().contains("a pool of 1 worker needs at least 6 MiB"), e.getMessage());
        assertEquals(List.of(), Workers.liveChildren(), "no worker was started");
    }

    @Test
    void shouldPutQueuesInTheTemporaryDirectoryWhenSharedMemoryIsAsSmallAsDockers() throws Exception {
        Path dockerShm = smallFileSystem(64);
        long needed = PoolDirectory.roomFor(2);
        assertEquals(temp, PoolDirectory.defaultRoot(dockerShm, temp, needed),
                "a 64 MiB /dev/shm has no room for a pool's queues of the default sizes");
        Path roomy = smallFileSystem(1024);
        assertEquals(roomy, PoolDirectory.defaultRoot(roomy, temp, needed));
        PoolDirectory onRoomy = PoolDirectory.create(roomy, 2);
        try {
            assertEquals(QueueSizes.DEFAULT, onRoomy.sizes(), "where there is room the sizes stay as they were");
        } finally {
            onRoomy.delete();
        }
    }

    @Test
    void shouldRunAPoolOfTwoOnADockerSizedFileSystemWithSmallerQueues() throws Exception {
        Path dockerShm = smallFileSystem(64);
        PoolDirectory chosen = PoolDirectory.create(dockerShm, 2);
        chosen.delete();
        // 4 queues x 2 segments of 4 MiB, and 8 MiB kept free, fit in 64 MiB; of 8 MiB they would not.
        assertEquals(4L << 20, chosen.sizes().segmentBytes());
        String block = "x".repeat((int) chosen.sizes().blockBytes() + 12345);
        try (ProcessPool pool = ProcessPool.builder().processes(2).queueDirectory(dockerShm).build()) {
            assertEquals(List.of(Long.toString(4L << 20), Long.toString(4L << 20)),
                    pool.map((Integer i) -> System.getProperty(QueueSizes.PROPERTY), List.of(1, 2), 1),
                    "the workers read and write the queues with the pool's sizes");
            // Messages larger than a block, both ways: split into fragments of an eighth of a block.
            assertEquals(block.length(), pool.apply(String::length, block));
            assertEquals(block.length(), pool.apply((Integer n) -> "y".repeat(n), block.length()).length());
            // Far more than the file system holds, in messages of 100 KB: the queues roll and delete segments.
            String item = "z".repeat(100_000);
            List<Integer> lengths = pool.map(String::length, java.util.Collections.nCopies(2_000, item), 20);
            assertEquals(java.util.Collections.nCopies(2_000, 100_000), lengths);
        }
    }

    @Test
    void shouldFailAMessageThatDoesNotFitAndCarryOn() throws Exception {
        Path small = smallFileSystem(160);
        try (ProcessPool pool = ProcessPool.builder().processes(1).queueDirectory(small).build()) {
            PoolException tooBigItem = assertThrows(PoolException.class,
                    () -> pool.apply((byte[] b) -> b.length, new byte[140 << 20]));
            assertTrue(tooBigItem.getMessage().contains("no room"), tooBigItem.getMessage());

            PoolException tooBigResult = assertThrows(PoolException.class,
                    () -> pool.apply((Integer n) -> new byte[n], 140 << 20));
            assertTrue(tooBigResult.getMessage().contains("no room"), tooBigResult.getMessage());

            assertEquals(3, pool.apply((Integer i) -> i + 1, 2), "the pool carries on");
        }
    }
}
