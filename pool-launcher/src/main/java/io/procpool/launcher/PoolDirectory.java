package io.procpool.launcher;

import io.procpool.worker.Directories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The private directory that holds one pool's queues: {@code procpool-<parent pid>-<n>} under /dev/shm where it
 * exists (memory, not disk), else under the temporary directory. Readable and writable by its owner only, since
 * workers deserialise what the queues hold. Deleted when the pool closes; a later pool deletes directories whose
 * owning process is gone.
 */
final class PoolDirectory {
    private static final String PREFIX = "procpool-";

    private final Path path;

    private PoolDirectory(Path path) {
        this.path = path;
    }

    /**
     * @param root      the directory the user chose, or null for the default
     * @param processes the pool's workers, which the default directory must have room for
     */
    static PoolDirectory create(Path root, int processes) {
        Path base = root != null ? root : defaultRoot(Path.of("/dev/shm"),
                Path.of(System.getProperty("java.io.tmpdir")), roomFor(processes));
        try {
            Files.createDirectories(base);
            removeOrphans(base);
            Path path;
            long pid = ProcessHandle.current().pid();
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                path = Files.createTempDirectory(base, PREFIX + pid + "-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                path = Files.createTempDirectory(base, PREFIX + pid + "-");
            }
            return new PoolDirectory(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a queue directory under " + base, e);
        }
    }

    /**
     * The space a pool's queues may come to use: per worker two queues of at most two segments each. Queue files
     * are sparse, so this is an upper bound, not what a pool of small messages takes.
     */
    static long roomFor(int processes) {
        return processes * 4L * io.procpool.worker.QueueLayout.SEGMENT_BYTES;
    }

    /**
     * /dev/shm (memory) where it has room for the pool's queues, else the temporary directory: Docker gives
     * containers a /dev/shm of 64 MiB, too small for a pool, while its temporary directory has room.
     */
    static Path defaultRoot(Path shm, Path temporary, long neededBytes) {
        if (Files.isDirectory(shm) && Files.isWritable(shm)
                && io.procpool.worker.Directories.usableBytes(shm) >= neededBytes) {
            return shm;
        }
        return temporary;
    }

    /** Deletes the directories of pools whose process is gone, say after a kill -9 of the parent. */
    private static void removeOrphans(Path base) {
        try (Stream<Path> entries = Files.list(base)) {
            entries.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> ownerIsGone(p.getFileName().toString()))
                    .forEach(PoolDirectory::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            // Best effort: another user's directories are not ours to remove, and a race with a sibling is fine.
        }
    }

    private static boolean ownerIsGone(String name) {
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(0, dash));
            Optional<ProcessHandle> owner = ProcessHandle.of(pid);
            return owner.isEmpty() || !owner.get().isAlive();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    Path workerDirectory(int slot, int generation) {
        return path.resolve("w" + slot + "-" + generation);
    }

    void delete() {
        deleteQuietly(path);
    }

    static void deleteQuietly(Path root) {
        Directories.deleteQuietly(root);
    }
}
