package io.procpool.worker;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Path;

/**
 * Where one worker's files live and how its queues are opened; both sides must agree on it. Each worker has its
 * own directory with a tasks queue (one writer: the parent; one reader: the worker), a results queue (the other
 * way round) and a status file ({@link WorkerStatus}).
 */
public final class QueueLayout {
    /**
     * The largest piece of a message that goes into one queue document. Larger messages are split, so that the
     * queue's block size, and with it the memory each queue maps, stays small whatever the payload.
     */
    public static final int MAX_FRAGMENT_BYTES = 4 << 20;
    /** Chronicle allows a document up to a quarter of the block size; this leaves room for the fragment. */
    private static final long BLOCK_SIZE_BYTES = 32L << 20;

    private final Path directory;

    /**
     * @param directory the worker's own directory
     */
    public QueueLayout(Path directory) {
        this.directory = directory;
    }

    /**
     * @return the worker's own directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * @return the status file
     */
    public Path statusFile() {
        return directory.resolve("status");
    }

    /**
     * @return the tasks queue, parent to worker
     */
    public ChronicleQueue openTasks() {
        return open(directory.resolve("tasks"));
    }

    /**
     * @return the results queue, worker to parent
     */
    public ChronicleQueue openResults() {
        return open(directory.resolve("results"));
    }

    private static ChronicleQueue open(Path path) {
        Quiet.apply();
        return SingleChronicleQueueBuilder.binary(path.toFile())
                .blockSize(BLOCK_SIZE_BYTES)
                .build();
    }
}
