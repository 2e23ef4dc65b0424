package io.procpool.worker.internal.transport;

import io.procpool.worker.internal.logging.Quiet;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Path;

/**
 * Where one worker's files live and how its queues are opened; both sides must agree on it. Each worker has its
 * own directory with a tasks queue (one writer: the parent; one reader: the worker), a results queue (the other
 * way round) and a status file ({@link StatusDescriptor}).
 *
 * <p>A queue is a series of segments, {@code tasks-0}, {@code tasks-1}, ...: each a Chronicle queue of its own.
 * The writer moves to the next segment once it has written {@link QueueSizes#segmentBytes()}, and the reader
 * deletes a segment as soon as it has read to its end, so a pool that runs for ever keeps at most two segments per
 * queue on disk. Chronicle's own roll cycles are by time (five minutes at the finest), which bounds nothing at a
 * million messages a second. The sizes are the pool's ({@link QueueSizes}): the same on both sides.
 */
public final class QueueLayout {
    /** The name of the tasks queue, parent to worker. */
    public static final String TASKS = "tasks";
    /** The name of the results queue, worker to parent. */
    public static final String RESULTS = "results";

    private final Path directory;
    private final QueueSizes sizes;

    /**
     * Describes the files of the worker whose directory this is, with the default sizes; nothing is created.
     *
     * @param directory the worker's own directory
     */
    public QueueLayout(Path directory) {
        this(directory, QueueSizes.DEFAULT);
    }

    /**
     * Describes the files of the worker whose directory this is, with the pool's sizes; nothing is created.
     *
     * @param directory the worker's own directory
     * @param sizes     the pool's segment and block sizes
     */
    public QueueLayout(Path directory, QueueSizes sizes) {
        this.directory = directory;
        this.sizes = sizes;
    }

    /**
     * {@return the segment and block sizes}
     */
    public QueueSizes sizes() {
        return sizes;
    }

    /**
     * Returns the worker's directory.
     *
     * @return the worker's own directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the path of the worker's status file.
     *
     * @return the status file
     */
    public Path statusFile() {
        return directory.resolve("status");
    }

    /**
     * Returns the file of a queue's start-up ring ({@link StartRing}), which carries its first messages while the
     * Chronicle queue opens.
     *
     * @param name the queue, {@link #TASKS} or {@link #RESULTS}
     * @return the ring's file
     */
    public Path ringFile(String name) {
        return directory.resolve(name + ".ring");
    }

    /**
     * Returns where a segment of a queue lives.
     *
     * @param name    the queue, {@link #TASKS} or {@link #RESULTS}
     * @param segment the segment's number, from 0
     * @return the directory of segment {@code segment} of the queue {@code name}
     */
    public Path segmentDirectory(String name, int segment) {
        return directory.resolve(name + "-" + segment);
    }

    /**
     * Opens (creating it if needed) one segment of a queue.
     *
     * @param name    the queue, {@link #TASKS} or {@link #RESULTS}
     * @param segment the segment's number, from 0
     * @return the open segment, to be closed by the caller
     */
    public ChronicleQueue openSegment(String name, int segment) {
        Quiet.apply();
        return SingleChronicleQueueBuilder.binary(segmentDirectory(name, segment).toFile())
                .blockSize(sizes.blockBytes())
                .build();
    }
}
