package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.internal.SharedBlocks;
import io.procpool.worker.internal.transport.Directories;
import io.procpool.worker.internal.transport.QueueSizes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The private directory that holds one pool's queues: {@code procpool-<parent pid>-<n>} under /dev/shm where it
 * exists (memory, not disk), else under the temporary directory. Readable and writable by its owner only, since
 * workers deserialise what the queues hold. Deleted when the pool closes; a later pool deletes directories whose
 * owning process is gone, and the {@link io.procpool.SharedMemory} blocks whose creator is gone. It also fixes the sizes of the pool's queues, from the space its file system has.
 */
final class PoolDirectory {
    private static final String PREFIX = "procpool-";
    /** Names taken by chance (64 random bits) this many times in a row mean something else is wrong. */
    private static final int MAX_NAME_ATTEMPTS = 100;

    private final Path path;
    private final QueueSizes sizes;

    private PoolDirectory(Path path, QueueSizes sizes) {
        this.path = path;
        this.sizes = sizes;
    }

    /**
     * @param root      the directory the user chose, or null for the default
     * @param processes the pool's workers, which the directory must have room for
     * @throws PoolException if its file system has no room for even the smallest queues
     */
    static PoolDirectory create(Path root, int processes) {
        Path base = root != null ? root : defaultRoot(Path.of("/dev/shm"),
                Path.of(System.getProperty("java.io.tmpdir")), roomFor(processes));
        try {
            Files.createDirectories(base);
            removeOrphans(base);
            SharedBlocks.removeStale();
            long free = Directories.usableBytes(base);
            QueueSizes sizes = QueueSizes.forSpace(free, processes);
            if (sizes == null) {
                throw new PoolException(String.format("the file system of the queue directory %s is too small: "
                        + "%d MiB free, a pool of %d worker%s needs at least %d MiB; free some space or choose "
                        + "another directory with ProcessPool.builder().queueDirectory(...)", base, free >> 20,
                        processes, processes == 1 ? "" : "s", (QueueSizes.smallestNeededBytes(processes) + (1 << 20) - 1) >> 20));
            }
            return new PoolDirectory(createPrivate(base, PREFIX + ProcessHandle.current().pid() + "-"), sizes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a queue directory under " + base, e);
        }
    }

    /**
     * Makes a new directory, owner-only, named {@code prefix} and a random number, as
     * {@link Files#createTempDirectory} does (an atomic {@code mkdir} that never takes an existing name), without its
     * {@code SecureRandom}: making one loads the JDK's security providers, tens of milliseconds of a fresh JVM's
     * first pool, before its first worker could be launched. The name only has to be free; the mode keeps the
     * directory private.
     */
    static Path createPrivate(Path base, String prefix) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        for (int attempt = 1; ; attempt++) {
            Path candidate = base.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()));
            try {
                return posix ? Files.createDirectory(candidate,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                        : Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == MAX_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** {@return the space a pool's queues of the default sizes may come to use: see {@link QueueSizes#roomFor}} */
    static long roomFor(int processes) {
        return QueueSizes.DEFAULT.roomFor(processes);
    }

    /**
     * /dev/shm (memory) where it has room for the pool's queues of the default sizes, else the temporary directory:
     * Docker gives containers a /dev/shm of 64 MiB, too small for them, while its temporary directory has room.
     * Where neither has, the one with more room: its queues then get smaller sizes.
     */
    static Path defaultRoot(Path shm, Path temporary, long neededBytes) {
        boolean shmUsable = Files.isDirectory(shm) && Files.isWritable(shm);
        long shmFree = shmUsable ? Directories.usableBytes(shm) : -1;
        if (shmFree >= neededBytes) {
            return shm;
        }
        return Directories.usableBytes(temporary) >= Math.min(neededBytes, shmFree) ? temporary : shm;
    }

    /** {@return the sizes of the pool's queues} */
    QueueSizes sizes() {
        return sizes;
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
