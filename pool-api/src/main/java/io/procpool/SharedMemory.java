package io.procpool;

import io.procpool.internal.SharedBlocks;
import io.procpool.internal.SharedMemoryRefusal;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A named block of memory that every process on this machine can map: Python's
 * {@code multiprocessing.shared_memory.SharedMemory} for the JVM. A large input made once with {@link #of(double[])}
 * is read in place by every task, instead of crossing as a copy per task; tasks can write their results into a block
 * made with {@link #create(long)} for the parent to read.
 *
 * <pre>{@code
 * try (SharedMemory input = SharedMemory.of(values)) {
 *     List<Double> sums = pool.map(slice -> sum(input.doubles(), slice), slices);
 *     input.unlink();
 * }
 * }</pre>
 *
 * <p><b>Crossing.</b> A {@code SharedMemory} captured by a task, or sent as an item or returned as a result, crosses
 * as its name (a few dozen bytes), under every {@link Serialization}. The receiving process maps the same memory
 * once, however many tasks receive it, and reads and writes it in place. On a pool whose tasks may run on another
 * machine (a {@code ClusterPool}) it cannot cross: the call fails with a {@link SerializationException} saying so,
 * never a copy whose writes would be lost.
 *
 * <p><b>Visibility.</b> What a task wrote into a block is visible to the parent once that task's result has arrived.
 * The block is one set of physical pages, mapped {@code MAP_SHARED} by both processes: there is no copy to bring up
 * to date, only the order of memory operations to respect. The worker's writes into the block come before, in its
 * program order, its write of the result to the pool's queue, which is an ordered (release) write into memory that
 * the parent maps too; the parent's read of that result is an acquire. So the task's writes happen-before the
 * parent's reads after the result, through the queue's memory, as with any memory-mapped memory shared between
 * processes on the same machine. What the parent wrote before submitting a task is visible to the task likewise.
 * Two tasks writing the same bytes at once race, as two threads would: give each task its own slice.
 *
 * <p><b>Lifecycle.</b> A block lives in /dev/shm where it has room (memory), else in the temporary directory, as a
 * file readable and writable by its owner only, named {@code procpool-shm-<creator pid>-<random>}. {@link #close()}
 * forgets the mapping in this process and leaves the block alive; {@link #unlink()} removes the block, and its
 * creator calls it once, when no process needs it any more (processes that still map it keep their memory until
 * they let go of it). A block whose creator exits without {@code unlink()}, even killed with {@code kill -9}, is
 * removed by the next pool that starts, as its stale queue directories are; a live process's block is never removed.
 * So a block made inside a task lives only as long as that worker.
 *
 * <p><b>Errors.</b> Any use but {@link #name()}, {@link #size()}, {@link #close()} and a first {@link #unlink()}
 * after {@code close()} or {@code unlink()} throws {@link IllegalStateException} saying which. Handles are safe to
 * use from several threads; the buffers they return are not (take one per thread: each call returns a fresh view).
 */
public final class SharedMemory implements AutoCloseable, Serializable {
    private static final long serialVersionUID = 1L;

    /** The largest block: what a {@link ByteBuffer} can address. */
    private static final long MAX_SIZE = Integer.MAX_VALUE;

    // All transient: a handle crosses as its Name, never as itself.
    private final transient String name;
    private final transient long size;
    private final transient Path path;
    private transient volatile MappedByteBuffer mapping;
    private transient volatile String ended;

    private SharedMemory(Path path, MappedByteBuffer mapping) {
        this.name = path.getFileName().toString();
        this.size = mapping.capacity();
        this.path = path;
        this.mapping = mapping;
    }

    /**
     * Creates a new zero-filled block, owned by this process (which calls {@link #unlink()} when it is done).
     *
     * @param size its size in bytes, from 1 to 2 GiB - 1
     * @return a handle on the new block, mapped in this process
     * @throws IllegalArgumentException if {@code size} is below 1 or above 2 GiB - 1 (2,147,483,647 bytes: what a
     *                                  {@code ByteBuffer} can address)
     * @throws PoolException            if neither /dev/shm nor the temporary directory has room for it
     * @throws UncheckedIOException     if its file cannot be made
     */
    public static SharedMemory create(long size) {
        checkSize(size, size + " bytes");
        Path path = SharedBlocks.createFile(size);
        try {
            return new SharedMemory(path, SharedBlocks.map(path));
        } catch (RuntimeException e) {
            SharedBlocks.delete(path);
            throw e;
        }
    }

    /**
     * Creates a new block holding a copy of {@code data}.
     *
     * @param data the bytes
     * @return a handle on the new block, as {@link #create(long)} returns
     * @throws IllegalArgumentException if {@code data} is empty
     */
    public static SharedMemory of(byte[] data) {
        SharedMemory block = create(data.length);
        block.buffer().put(data);
        return block;
    }

    /**
     * Creates a new block holding a copy of {@code data}, in native byte order, for {@link #ints()} to read.
     *
     * @param data the values
     * @return a handle on the new block, as {@link #create(long)} returns
     * @throws IllegalArgumentException if {@code data} is empty, or more than 2 GiB - 1 bytes
     */
    public static SharedMemory of(int[] data) {
        SharedMemory block = create(checkSize(data.length * 4L, data.length + " ints"));
        block.ints().put(data);
        return block;
    }

    /**
     * Creates a new block holding a copy of {@code data}, in native byte order, for {@link #longs()} to read.
     *
     * @param data the values
     * @return a handle on the new block, as {@link #create(long)} returns
     * @throws IllegalArgumentException if {@code data} is empty, or more than 2 GiB - 1 bytes
     */
    public static SharedMemory of(long[] data) {
        SharedMemory block = create(checkSize(data.length * 8L, data.length + " longs"));
        block.longs().put(data);
        return block;
    }

    /**
     * Creates a new block holding a copy of {@code data}, in native byte order, for {@link #doubles()} to read.
     *
     * @param data the values
     * @return a handle on the new block, as {@link #create(long)} returns
     * @throws IllegalArgumentException if {@code data} is empty, or more than 2 GiB - 1 bytes
     */
    public static SharedMemory of(double[] data) {
        SharedMemory block = create(checkSize(data.length * 8L, data.length + " doubles"));
        block.doubles().put(data);
        return block;
    }

    /**
     * Maps an existing block by its name, as another process's {@link #name()} gave it.
     *
     * @param name the block's name, {@code procpool-shm-<pid>-<16 hex digits>}
     * @return a handle on the block, mapped in this process (once, whatever the number of handles)
     * @throws IllegalArgumentException if {@code name} is not a block's name (a path, say)
     * @throws UncheckedIOException     if there is no such block: its cause is a
     *                                  {@link java.nio.file.NoSuchFileException} naming it
     */
    public static SharedMemory attach(String name) {
        if (!SharedBlocks.isBlockName(name)) {
            throw new IllegalArgumentException("not the name of a procpool shared memory block: " + name
                    + " (names are " + SharedBlocks.PREFIX + "<pid>-<16 hex digits>, as name() gives them)");
        }
        Path path = SharedBlocks.find(name);
        return new SharedMemory(path, SharedBlocks.map(path));
    }

    private static long checkSize(long size, String what) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("a shared memory block holds 1 to " + MAX_SIZE
                    + " bytes (2 GiB - 1, what a ByteBuffer can address): " + what + " is "
                    + (size < 1 ? "too few" : "too many"));
        }
        return size;
    }

    /** {@return the block's name, for {@link #attach(String)} in another process} */
    public String name() {
        return name;
    }

    /** {@return the block's size in bytes} */
    public long size() {
        return size;
    }

    /**
     * Returns the block as this process maps it: a fresh view at position 0 in native byte order, so that callers'
     * positions and limits do not interfere.
     *
     * @return the whole block, read-write
     * @throws IllegalStateException after {@link #close()} or {@link #unlink()}
     */
    public ByteBuffer buffer() {
        return mapping().duplicate().clear().order(ByteOrder.nativeOrder());
    }

    /**
     * {@return the block as ints, native order, a fresh view (a trailing partial int is left out)}
     *
     * @throws IllegalStateException after {@link #close()} or {@link #unlink()}
     */
    public IntBuffer ints() {
        return buffer().asIntBuffer();
    }

    /**
     * {@return the block as longs, native order, a fresh view (a trailing partial long is left out)}
     *
     * @throws IllegalStateException after {@link #close()} or {@link #unlink()}
     */
    public LongBuffer longs() {
        return buffer().asLongBuffer();
    }

    /**
     * {@return the block as doubles, native order, a fresh view (a trailing partial double is left out)}
     *
     * @throws IllegalStateException after {@link #close()} or {@link #unlink()}
     */
    public DoubleBuffer doubles() {
        return buffer().asDoubleBuffer();
    }

    private MappedByteBuffer mapping() {
        MappedByteBuffer current = mapping;
        if (current == null) {
            throw new IllegalStateException("the shared memory block " + name + " was " + ended
                    + " in this process: it can no longer be used through this handle");
        }
        return current;
    }

    /**
     * Forgets the block in this process: this handle can no longer be used, and the mapping goes once no handle or
     * buffer of this process uses it. The block lives on for other processes, until {@link #unlink()}. Calling it
     * again does nothing.
     */
    @Override
    public void close() {
        if (mapping != null) {
            ended = "closed";
            mapping = null;
        }
    }

    /**
     * Removes the block: no process can attach it any more, and its memory is freed once every process that maps it
     * has let go. Its creator calls it once, when the block is no longer needed; it may follow {@link #close()}.
     *
     * @throws IllegalStateException if this handle unlinked it already
     * @throws UncheckedIOException  if the file cannot be removed
     */
    public void unlink() {
        synchronized (this) {
            if ("unlinked".equals(ended)) {
                throw new IllegalStateException("the shared memory block " + name + " was unlinked already");
            }
            ended = "unlinked";
            mapping = null;
        }
        SharedBlocks.delete(path != null ? path : SharedBlocks.find(name));
    }

    /** Two handles are equal when they name the same block. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SharedMemory && ((SharedMemory) other).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name + ", " + size + " bytes" + (ended == null ? "" : ", " + ended) + "]";
    }

    /**
     * Crosses as its name: the other side maps the same memory.
     *
     * @return the block's serial form
     * @throws SerializationException where shared memory cannot go (a cluster member)
     */
    private Object writeReplace() {
        String destination = SharedMemoryRefusal.destination();
        if (destination != null) {
            throw new SerializationException("a shared memory block (" + name + ") cannot cross to " + destination
                    + ": it is memory of this machine, which another machine cannot map; send the data itself");
        }
        mapping(); // a closed or unlinked handle fails here, saying so, rather than on the other side
        return new Name(name, path.getParent().toString(), size);
    }

    /**
     * Refuses a stream that holds a handle itself rather than its name, which only a forged stream would.
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a SharedMemory crosses as its name");
    }

    /** The serial form of a block: its name, where it lives, and its size, checked when it is mapped again. */
    private static final class Name implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String name;
        private final String directory;
        private final long size;

        Name(String name, String directory, long size) {
            this.name = name;
            this.directory = directory;
            this.size = size;
        }

        /** Maps the block in this process, once for all the handles that arrive here. */
        private Object readResolve() throws InvalidObjectException {
            if (!SharedBlocks.isBlockName(name)) {
                throw new InvalidObjectException("not the name of a procpool shared memory block: " + name);
            }
            // Where its creator made it; else where this process would look (a worker's temporary directory may
            // differ from its parent's).
            Path path = Path.of(directory).resolve(name);
            if (!Files.isRegularFile(path)) {
                path = SharedBlocks.find(name);
            }
            SharedMemory block = new SharedMemory(path, SharedBlocks.map(path));
            if (block.size != size) {
                throw new InvalidObjectException("the shared memory block " + name + " holds " + block.size
                        + " bytes where " + size + " were sent");
            }
            return block;
        }
    }
}
