package io.procpool.worker.internal.transport;

/**
 * How large a pool's queue segments and Chronicle blocks are, chosen by the pool from the space its directory has
 * and passed to its workers, since both sides of a queue must agree. Where there is room, as on a roomy /dev/shm
 * or a disk, every pool has the {@link #DEFAULT} sizes; on a small file system (Docker's 64 MiB /dev/shm chosen
 * with {@code queueDirectory}) segments and blocks shrink so that the queues' bound fits, and messages are split
 * into smaller fragments, so that a message of any size still crosses.
 *
 * @param segmentBytes a writer starts a new segment after this many bytes of messages; also the block size
 */
public record QueueSizes(long segmentBytes) {
    private static final long DEFAULT_SEGMENT_BYTES = 32L << 20;
    /** The sizes wherever there is room for them: segments and blocks of 32 MiB. */
    public static final QueueSizes DEFAULT = new QueueSizes(DEFAULT_SEGMENT_BYTES);
    /** The system property that gives a worker its pool's segment size, when it is not the default. */
    public static final String PROPERTY = "procpool.queueSegmentBytes";
    /** Below this Chronicle's per-block bookkeeping would be a good part of each block. */
    static final long SMALLEST_SEGMENT_BYTES = 1L << 20;

    /**
     * Checks the segment size.
     *
     * @param segmentBytes the size of a queue segment, and of a Chronicle block
     * @throws IllegalArgumentException unless {@code segmentBytes} is a power of two from 1 MiB to 32 MiB
     */
    public QueueSizes {
        if (Long.bitCount(segmentBytes) != 1 || segmentBytes < SMALLEST_SEGMENT_BYTES
                || segmentBytes > DEFAULT_SEGMENT_BYTES) {
            throw new IllegalArgumentException("a queue segment is a power of two from 1 to 32 MiB: " + segmentBytes);
        }
    }

    /**
     * The sizes for a pool of {@code processes} workers on a file system with {@code usableBytes} free: the
     * default where it has {@link #roomFor} them, else the largest segments whose bound, with the
     * {@linkplain #minimumFreeBytes() running margin} on top, fits.
     *
     * @param usableBytes the free space of the queue directory's file system
     * @param processes   the pool's number of workers
     * @return the sizes, or null if not even the smallest fit
     */
    public static QueueSizes forSpace(long usableBytes, int processes) {
        if (usableBytes >= DEFAULT.roomFor(processes)) {
            return DEFAULT;
        }
        for (long segment = DEFAULT_SEGMENT_BYTES / 2; segment >= SMALLEST_SEGMENT_BYTES; segment /= 2) {
            QueueSizes sizes = new QueueSizes(segment);
            if (usableBytes >= sizes.neededBytes(processes)) {
                return sizes;
            }
        }
        return null;
    }

    /**
     * The least free space a pool can start with.
     *
     * @param processes the pool's number of workers
     * @return the least free space a pool of {@code processes} workers starts with: the smallest sizes' bound and
     * running margin, for the error that says a file system is too small
     */
    public static long smallestNeededBytes(int processes) {
        return new QueueSizes(SMALLEST_SEGMENT_BYTES).neededBytes(processes);
    }

    /** {@return a worker's sizes, from its command line} */
    public static QueueSizes fromSystemProperty() {
        Long segment = Long.getLong(PROPERTY);
        return segment == null ? DEFAULT : new QueueSizes(segment);
    }

    /** {@return the option that gives a worker these sizes; none for the default} */
    public java.util.List<String> asJvmOptions() {
        // Not equals(DEFAULT): a record's first equals bootstraps ObjectMethods, about 20 ms of a fresh JVM's
        // first pool before its first worker is launched.
        return segmentBytes == DEFAULT_SEGMENT_BYTES ? java.util.List.of()
                : java.util.List.of("-D" + PROPERTY + "=" + segmentBytes);
    }

    /**
     * The space a pool's queues may come to use: per worker two queues of at most two segments each. Queue files
     * are sparse, so this is an upper bound, not what a pool of small messages takes.
     *
     * @param processes the pool's number of workers
     * @return the bytes its queues may come to take
     */
    public long roomFor(int processes) {
        return processes * 4L * segmentBytes;
    }

    private long neededBytes(int processes) {
        return roomFor(processes) + minimumFreeBytes();
    }

    /**
     * {@return Chronicle's block size: the unit in which a queue file grows and is mapped. A document may take up
     * to a quarter of it.}
     */
    public long blockBytes() {
        return segmentBytes;
    }

    /** {@return the largest piece of a message that goes into one queue document: an eighth of a block} */
    public int fragmentBytes() {
        return (int) (blockBytes() / 8);
    }

    /**
     * {@return the free space below which a running pool stops with an error, since a memory-mapped write to a
     * full file system kills the JVM with SIGBUS: room for two segments, 64 MiB with the default sizes}
     */
    public long minimumFreeBytes() {
        return 2 * segmentBytes;
    }

    /** {@return the room kept free beside a large write, for the pool's other queues: a segment} */
    public long marginBytes() {
        return segmentBytes;
    }
}
