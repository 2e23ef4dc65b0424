package io.procpool.worker.internal.transport;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A worker's start-up channel in one direction: a single-producer, single-consumer ring of messages in a small
 * mapped file, which needs nothing but the JDK. Chronicle takes most of a worker's start (its core's set-up, native
 * bindings, the queues); the first messages of a worker's life (set-up, READY, the first chunks) cross here while its
 * queues open on another thread, and then each direction moves to Chronicle for good with a {@link #offerSwitch()
 * switch marker}: what follows the marker travels on the queue. Either side may switch its direction at any time;
 * a message that does not fit in the ring's free space is the sender's cue to switch.
 *
 * <pre>
 *   line 0 (bytes   0- 63)  magic:int  version:int  capacity:int             written once, by the creator
 *   line 1 (bytes  64-127)  written:long                                     the writer: bytes published
 *   line 2 (bytes 128-191)  read:long                                        the reader: bytes consumed
 *   bytes 192-             records of length:int + bytes, each 8-aligned; a length of -1 pads to the ring's end,
 *                          -2 is the switch marker
 * </pre>
 *
 * Positions only grow; a record never wraps around the end (the writer pads instead), so the reader copies each
 * message out in one piece. The writer never lets the ring fill past the room a marker needs, so a marker always
 * fits. Each side is used by one thread at a time.
 */
public final class StartRing implements AutoCloseable {
    /** The ring's size: the set-up message and the first chunks of small tasks fit; a larger message switches. */
    public static final int DEFAULT_CAPACITY = 256 * 1024;
    private static final int MAGIC = 0x70707267; // "pprg"
    /**
     * The ring's layout, and what its records hold: 2 since every message starts with the protocol's version. A
     * ring of version 1 came from a parent whose messages have none, which a worker would misread.
     */
    static final int VERSION = 2;
    private static final int LINE = 64;
    private static final int CAPACITY_OFFSET = 8;
    private static final int WRITTEN = LINE;
    private static final int READ = 2 * LINE;
    private static final int DATA = 3 * LINE;
    private static final int HEADER_BYTES = 4;
    private static final int PADDING = -1;
    private static final int SWITCH = -2;
    private static final int ALIGNMENT = 8;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    /** What {@link #poll()} found. */
    public enum Poll {
        /** Nothing new. */
        EMPTY,
        /** A message, now in {@link #bytes()}. */
        MESSAGE,
        /** The switch marker: everything after it travels on the Chronicle queue. */
        SWITCHED
    }

    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    private final int capacity;
    private byte[] message = new byte[1024];
    private int length;

    private StartRing(FileChannel channel, MappedByteBuffer buffer, int capacity) {
        this.channel = channel;
        this.buffer = buffer;
        this.capacity = capacity;
    }

    /**
     * Creates a ring's file (the parent, for both directions, before the worker starts).
     *
     * @param file     where the ring goes
     * @param capacity its data bytes: a power of two, at least 4 KiB
     * @return the mapped ring, to be closed by the caller
     * @throws IOException if the file cannot be created or mapped
     */
    public static StartRing create(Path file, int capacity) throws IOException {
        if (Integer.bitCount(capacity) != 1 || capacity < 4096) {
            throw new IllegalArgumentException("a ring's capacity must be a power of two of at least 4096: "
                    + capacity);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, DATA + capacity);
            INTS.setRelease(buffer, CAPACITY_OFFSET, capacity);
            INTS.setRelease(buffer, 4, VERSION);
            INTS.setRelease(buffer, 0, MAGIC);
            return new StartRing(channel, buffer, capacity);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Maps a ring the other side created.
     *
     * @param file the ring's file
     * @return the mapped ring, to be closed by the caller
     * @throws IOException if the file is missing, or not a ring of this version
     */
    public static StartRing open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size < DATA + 4096) {
                throw new IOException(file + " is not a start-up ring: " + size + " bytes");
            }
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            int magic = (int) INTS.getAcquire(buffer, 0);
            int version = (int) INTS.getAcquire(buffer, 4);
            int capacity = (int) INTS.getAcquire(buffer, CAPACITY_OFFSET);
            if (magic != MAGIC || version != VERSION || capacity != size - DATA) {
                throw new IOException(file + " is not a start-up ring of version " + VERSION + " (magic "
                        + Integer.toHexString(magic) + ", version " + version + ", capacity " + capacity + ")");
            }
            return new StartRing(channel, buffer, capacity);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Writer: appends a message if it fits in the free space, keeping room for the switch marker.
     *
     * @param bytes  a buffer holding the message
     * @param length its length
     * @return whether it was written; if not, the caller switches to the queue
     */
    public boolean offer(byte[] bytes, int length) {
        long written = (long) LONGS.getOpaque(buffer, WRITTEN);
        int record = align(HEADER_BYTES + length);
        int offset = (int) (written & (capacity - 1));
        int padding = capacity - offset < record ? capacity - offset : 0;
        long read = (long) LONGS.getAcquire(buffer, READ);
        if (record > capacity || written + padding + record + ALIGNMENT - read > capacity) {
            return false;
        }
        if (padding > 0) {
            INTS.set(buffer, DATA + offset, PADDING);
            written += padding;
            offset = 0;
        }
        buffer.put(DATA + offset + HEADER_BYTES, bytes, 0, length);
        INTS.set(buffer, DATA + offset, length);
        LONGS.setRelease(buffer, WRITTEN, written + record);
        return true;
    }

    /**
     * Writer: appends the switch marker, after which this direction's messages travel on the queue. There is
     * always room for it ({@link #offer} keeps it).
     */
    public void offerSwitch() {
        long written = (long) LONGS.getOpaque(buffer, WRITTEN);
        int offset = (int) (written & (capacity - 1));
        INTS.set(buffer, DATA + offset, SWITCH);
        LONGS.setRelease(buffer, WRITTEN, written + ALIGNMENT);
    }

    /**
     * Reader: takes the next message, if any. A message's bytes are copied out, so they stay valid until the next
     * poll while the writer reuses the ring.
     *
     * @return what was found
     */
    public Poll poll() {
        while (true) {
            long read = (long) LONGS.getOpaque(buffer, READ);
            long written = (long) LONGS.getAcquire(buffer, WRITTEN);
            if (read == written) {
                return Poll.EMPTY;
            }
            int offset = (int) (read & (capacity - 1));
            int header = (int) INTS.get(buffer, DATA + offset);
            if (header == PADDING) {
                LONGS.setRelease(buffer, READ, read + capacity - offset);
                continue;
            }
            if (header == SWITCH) {
                LONGS.setRelease(buffer, READ, read + ALIGNMENT);
                return Poll.SWITCHED;
            }
            if (header < 0 || header > capacity - HEADER_BYTES) {
                throw new IllegalStateException("a start-up ring holds a record of length " + header
                        + " at position " + read + ": the file was changed by someone else");
            }
            if (message.length < header) {
                message = Arrays.copyOf(message, Math.max(header, 2 * message.length));
            }
            buffer.get(DATA + offset + HEADER_BYTES, message, 0, header);
            length = header;
            LONGS.setRelease(buffer, READ, read + align(HEADER_BYTES + header));
            return Poll.MESSAGE;
        }
    }

    /** {@return the buffer holding the message the last {@link #poll()} found} */
    public byte[] bytes() {
        return message;
    }

    /** {@return that message's length} */
    public int length() {
        return length;
    }

    private static int align(int bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Unmaps nothing (the mapping goes with the buffer) and closes the file. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // The file is going with its directory.
        }
    }
}
