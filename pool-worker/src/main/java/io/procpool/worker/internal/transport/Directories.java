package io.procpool.worker.internal.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File-system chores around queue directories. Deleting is best effort by design, since another process may be
 * removing the same files (a worker deleting a segment while the pool deletes the whole directory), and what is
 * left goes with the pool's directory or a later pool's clean-up.
 */
public final class Directories {
    private Directories() {
    }

    /**
     * Deletes {@code root} and everything under it, as far as it can. Never throws for a file it cannot delete.
     *
     * @param root the file or directory to delete
     */
    public static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Keep going: delete what can be deleted.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Already gone, or being removed by someone else.
        }
    }

    /**
     * A write into a memory-mapped file on a full file system kills the JVM with SIGBUS, and a large write that
     * fills it leaves the pool's queues no room: a large message or array is checked against the free space first
     * and refused with an error instead. Small messages are covered by the pool's periodic check.
     *
     * @param directory   where the bytes are to be written
     * @param bytes       how many bytes are to be written
     * @param marginBytes room kept free beside the write, since the pool's other queues keep writing meanwhile
     *                    ({@link QueueSizes#marginBytes()})
     * @param what        what is to be written, for the message: "a message", "an array"
     * @throws io.procpool.PoolException if {@code bytes} would leave less than the margin free
     */
    public static void checkRoom(Path directory, long bytes, long marginBytes, String what) {
        long free = usableBytes(directory);
        if (free < bytes + marginBytes) {
            throw new io.procpool.PoolException(String.format("no room for %s of %d MiB in the queue directory "
                    + "%s: %d MiB free (a margin of %d MiB is kept); free some space or choose another directory "
                    + "with ProcessPool.builder().queueDirectory(...)", what, bytes >> 20, directory, free >> 20,
                    marginBytes >> 20));
        }
    }

    /**
     * Returns the space left on the file system that holds {@code directory}.
     *
     * @param directory a directory on the file system in question
     * @return the bytes free for this user on the file system of {@code directory}, or {@link Long#MAX_VALUE} where
     * that cannot be told (then nothing is refused on its account)
     */
    public static long usableBytes(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
