package io.procpool.internal;

import io.procpool.PoolException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files behind {@link io.procpool.SharedMemory} blocks: their names, where they live, this process's mappings
 * of them, and the removal of blocks whose creator is gone.
 *
 * <p>A block is a file {@code procpool-shm-<creator pid>-<16 hex digits>}, readable and writable by its owner only,
 * in /dev/shm (memory) where it has room for the block, else in the temporary directory: where a pool's queues
 * live by default. The creator's pid in the name lets a later pool tell a block whose creator has gone (even after
 * a {@code kill -9}) and remove it, as it removes such a pool's queue directory; a live process's block is never
 * touched.
 *
 * <p>Each block is mapped once per process: every handle on it, and every task of a worker that received one, shares
 * that mapping. The mapping goes when nothing reachable uses it (no handle, no buffer obtained from one), as any
 * {@code MappedByteBuffer} does: the JDK has no safe way to unmap while a view might still be read.
 */
public final class SharedBlocks {
    /** What every block's file name starts with. */
    public static final String PREFIX = "procpool-shm-";

    private static final Pattern NAME = Pattern.compile("procpool-shm-([0-9]{1,19})-([0-9a-f]{16})");
    private static final Path SHM = Path.of("/dev/shm");
    /** Room kept free on /dev/shm beside a new block, for the queues of the pools that share it. */
    private static final long SHM_HEADROOM_BYTES = 64L << 20;
    private static final ConcurrentMap<String, WeakReference<MappedByteBuffer>> MAPPED = new ConcurrentHashMap<>();

    private SharedBlocks() {
    }

    /**
     * The source of block names, made at the first block rather than when this class loads: every pool's start
     * loads it (to remove stale blocks), and a {@code SecureRandom} loads the JDK's security providers first, tens
     * of milliseconds of a fresh JVM's first pool.
     */
    private static final class Names {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /**
     * Tells whether {@code name} is a block's name: anything else (a path, {@code ../x}) is never looked up.
     *
     * @param name the name to check
     * @return whether it has the form {@code procpool-shm-<pid>-<16 hex digits>}
     */
    public static boolean isBlockName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Creates a new zero-filled block's file, owner-only, in /dev/shm where it has room, else the temporary
     * directory.
     *
     * @param size the block's size in bytes, already checked
     * @return the new file
     * @throws PoolException        if neither directory has room for it
     * @throws UncheckedIOException if the file cannot be made
     */
    public static Path createFile(long size) {
        Path directory = directoryFor(size);
        byte[] random = new byte[8];
        Names.RANDOM.nextBytes(random);
        StringBuilder name = new StringBuilder(PREFIX).append(ProcessHandle.current().pid()).append('-');
        for (byte b : random) {
            name.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        Path path = directory.resolve(name.toString());
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(path);
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                // Sparse, as Python's ftruncate makes it: pages are given as they are first written.
                channel.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
            }
            return path;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // Nothing was made, or it goes with the stale sweep once this process is gone.
            }
            throw new UncheckedIOException("cannot create a shared memory block of " + size + " bytes in "
                    + directory, e);
        }
    }

    /**
     * /dev/shm where it has room for the block and the pools' queues beside it, else the temporary directory.
     * Checked first because a write to a mapped page the file system cannot give kills the JVM with SIGBUS.
     */
    private static Path directoryFor(long size) {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM) && usableBytes(SHM) >= size + SHM_HEADROOM_BYTES) {
            return SHM;
        }
        Path temporary = temporaryDirectory();
        long free = usableBytes(temporary);
        if (free < size) {
            throw new PoolException(String.format("no room for a shared memory block of %d MiB: %d MiB free in %s "
                    + "and too little in %s", size >> 20, free >> 20, temporary, SHM));
        }
        return temporary;
    }

    /**
     * Finds an existing block by name, in /dev/shm, then in the temporary directory.
     *
     * @param name a block's name, already checked with {@link #isBlockName}
     * @return its file
     * @throws UncheckedIOException with a {@link NoSuchFileException} naming the block if there is none
     */
    public static Path find(String name) {
        for (Path directory : directories()) {
            Path path = directory.resolve(name);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        String message = "no shared memory block named " + name + " in " + directories()
                + ": it was never created on this machine, or it has been unlinked";
        throw new UncheckedIOException(message, new NoSuchFileException(name, null, message));
    }

    /**
     * Maps a block's file, or returns this process's existing mapping of it.
     *
     * @param path the block's file
     * @return the whole block, mapped read-write (shared with every process that maps it)
     * @throws UncheckedIOException with a {@link NoSuchFileException} if the file is gone
     */
    public static MappedByteBuffer map(Path path) {
        String name = path.getFileName().toString();
        MappedByteBuffer[] mapped = new MappedByteBuffer[1];
        MAPPED.compute(name, (key, held) -> {
            MappedByteBuffer existing = held == null ? null : held.get();
            if (existing != null) {
                mapped[0] = existing;
                return held;
            }
            mapped[0] = mapNew(path);
            return new WeakReference<>(mapped[0]);
        });
        return mapped[0];
    }

    private static MappedByteBuffer mapNew(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        } catch (NoSuchFileException e) {
            String name = path.getFileName().toString();
            throw new UncheckedIOException("no shared memory block named " + name + " at " + path
                    + ": it has been unlinked", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the shared memory block " + path, e);
        }
    }

    /**
     * Removes a block's file and this process's record of its mapping.
     *
     * @param path the block's file
     */
    public static void delete(Path path) {
        MAPPED.remove(path.getFileName().toString());
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the shared memory block " + path, e);
        }
    }

    /**
     * Removes the blocks whose creating process is gone, in every directory blocks live in. Best effort: another
     * user's files are not ours to remove, and a sibling pool removing the same file is fine.
     */
    public static void removeStale() {
        for (Path directory : directories()) {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(p -> creatorIsGone(p.getFileName().toString())).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // Not ours, or already gone.
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // No such directory, or it cannot be listed: nothing of ours there.
            }
        }
    }

    /**
     * Lists the blocks that a process created and has not unlinked.
     *
     * @param pid the creating process
     * @return their files, in no order
     */
    public static List<Path> createdBy(long pid) {
        List<Path> found = new ArrayList<>();
        for (Path directory : directories()) {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(p -> pid == creator(p.getFileName().toString())).forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                // No such directory.
            }
        }
        return found;
    }

    /** {@return the pid in a block's name, or -1 for a name that is not a block's} */
    static long creator(String name) {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean creatorIsGone(String name) {
        long pid = creator(name);
        if (pid < 0) {
            return false;
        }
        Optional<ProcessHandle> creator = ProcessHandle.of(pid);
        return creator.isEmpty() || !creator.get().isAlive();
    }

    private static List<Path> directories() {
        Path temporary = temporaryDirectory();
        return temporary.equals(SHM) ? List.of(SHM) : List.of(SHM, temporary);
    }

    private static Path temporaryDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }

    private static long usableBytes(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
