package io.procpool.launcher;

import io.procpool.PoolException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
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
        Path tiny = smallFileSystem(40);
        PoolException e = assertThrows(PoolException.class,
                () -> ProcessPool.builder().processes(1).queueDirectory(tiny).build());
        assertTrue(e.getMessage().contains("too small") && e.getMessage().contains("MiB free"), e.getMessage());
    }

    @Test
    void shouldPutQueuesInTheTemporaryDirectoryWhenSharedMemoryIsAsSmallAsDockers() throws Exception {
        Path dockerShm = smallFileSystem(64);
        long needed = PoolDirectory.roomFor(2);
        assertEquals(temp, PoolDirectory.defaultRoot(dockerShm, temp, needed),
                "a 64 MiB /dev/shm has no room for a pool's queues");
        Path roomy = smallFileSystem(1024);
        assertEquals(roomy, PoolDirectory.defaultRoot(roomy, temp, needed));
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
