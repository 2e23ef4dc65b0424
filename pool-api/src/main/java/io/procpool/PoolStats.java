package io.procpool;

/**
 * A snapshot of what a pool has done and what it cost, readable at any time with {@link Pool#stats()}.
 * Times are summed over all chunks, in nanoseconds; "parent" times are spent in the calling JVM, "worker" times in
 * the workers. For a {@link ThreadPool} the serialisation figures and bytes are zero: nothing crosses a process
 * boundary, which is exactly the difference this record measures.
 *
 * @param tasksSubmitted            items handed to workers (a retried item counts again)
 * @param tasksCompleted            items whose outcome came back, success or failure
 * @param tasksFailed               items that ended in a {@link PoolException}
 * @param chunksCompleted           chunks whose outcome came back
 * @param bytesToWorkers            serialised bytes of functions and items sent to workers
 * @param bytesFromWorkers          serialised bytes of results received from workers
 * @param parentSerializeNanos      time the parent spent serialising functions and items
 * @param parentDeserializeNanos    time the parent spent rebuilding results
 * @param workerDeserializeNanos    time the workers spent rebuilding functions and items
 * @param workerExecuteNanos        time spent inside {@link Task#apply}
 * @param workerSerializeNanos      time the workers spent serialising results
 * @param roundTripNanos            from a chunk's dispatch to its outcome's arrival, summed over chunks; minus the
 *                                  worker times above it is what queueing and transport cost
 * @param workersStarted            workers started, replacements included
 * @param workersLost               workers that died or were killed while the pool ran
 */
public record PoolStats(
        long tasksSubmitted,
        long tasksCompleted,
        long tasksFailed,
        long chunksCompleted,
        long bytesToWorkers,
        long bytesFromWorkers,
        long parentSerializeNanos,
        long parentDeserializeNanos,
        long workerDeserializeNanos,
        long workerExecuteNanos,
        long workerSerializeNanos,
        long roundTripNanos,
        long workersStarted,
        long workersLost) {

    /**
     * Returns the time chunks spent neither in the parent's serialiser nor in a worker: waiting in queues and in
     * transport, summed over chunks, in nanoseconds.
     *
     * @return the time spent waiting in queues and in transport: round trip less everything the worker did
     */
    public long queueAndTransportNanos() {
        return Math.max(0, roundTripNanos - workerDeserializeNanos - workerExecuteNanos - workerSerializeNanos);
    }

    /**
     * Returns what crossing the process boundary cost per completed task, on average. For a {@link ThreadPool}
     * it is zero, since nothing crosses a process boundary.
     *
     * @return the mean cost per completed task of crossing the process boundary (serialisation on both sides,
     * queueing and transport), in nanoseconds; zero before any task completed
     */
    public double overheadNanosPerTask() {
        if (tasksCompleted == 0) {
            return 0;
        }
        long overhead = parentSerializeNanos + parentDeserializeNanos + workerDeserializeNanos
                + workerSerializeNanos + queueAndTransportNanos();
        return (double) overhead / tasksCompleted;
    }

    @Override
    public String toString() {
        return String.format(
                "PoolStats[tasks=%d submitted/%d completed/%d failed, chunks=%d, bytes=%d out/%d in, "
                        + "serialise=%.1f ms parent/%.1f ms worker, deserialise=%.1f ms parent/%.1f ms worker, "
                        + "execute=%.1f ms, queue+transport=%.1f ms, workers=%d started/%d lost]",
                tasksSubmitted, tasksCompleted, tasksFailed, chunksCompleted, bytesToWorkers, bytesFromWorkers,
                parentSerializeNanos / 1e6, workerSerializeNanos / 1e6, parentDeserializeNanos / 1e6,
                workerDeserializeNanos / 1e6, workerExecuteNanos / 1e6, queueAndTransportNanos() / 1e6,
                workersStarted, workersLost);
    }
}
