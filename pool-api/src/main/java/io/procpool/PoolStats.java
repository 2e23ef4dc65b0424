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
 *                                  worker times above it is what queueing and transport cost. Chunks are in flight
 *                                  side by side, so this sum can exceed the wall time of the calls
 * @param workersStarted            workers started, replacements included
 * @param workersLost               workers that died or were killed while the pool ran
 * @param workersRecycled           workers the pool replaced by its own rule, not lost: those that reached
 *                                  {@code maxTasksPerChild} or passed {@code maxMemoryPerChild}
 * @param liveWorkers               workers alive now: worker JVMs for a process pool, members' workers for a
 *                                  cluster pool, threads for a thread pool; zero once the pool has stopped
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
        long workersLost,
        long workersRecycled,
        long liveWorkers) {

    /**
     * A snapshot with no worker recycled and none live, as of the pools before they counted them.
     *
     * @param tasksSubmitted         see {@link #tasksSubmitted()}
     * @param tasksCompleted         see {@link #tasksCompleted()}
     * @param tasksFailed            see {@link #tasksFailed()}
     * @param chunksCompleted        see {@link #chunksCompleted()}
     * @param bytesToWorkers         see {@link #bytesToWorkers()}
     * @param bytesFromWorkers       see {@link #bytesFromWorkers()}
     * @param parentSerializeNanos   see {@link #parentSerializeNanos()}
     * @param parentDeserializeNanos see {@link #parentDeserializeNanos()}
     * @param workerDeserializeNanos see {@link #workerDeserializeNanos()}
     * @param workerExecuteNanos     see {@link #workerExecuteNanos()}
     * @param workerSerializeNanos   see {@link #workerSerializeNanos()}
     * @param roundTripNanos         see {@link #roundTripNanos()}
     * @param workersStarted         see {@link #workersStarted()}
     * @param workersLost            see {@link #workersLost()}
     */
    public PoolStats(long tasksSubmitted, long tasksCompleted, long tasksFailed, long chunksCompleted,
                     long bytesToWorkers, long bytesFromWorkers, long parentSerializeNanos,
                     long parentDeserializeNanos, long workerDeserializeNanos, long workerExecuteNanos,
                     long workerSerializeNanos, long roundTripNanos, long workersStarted, long workersLost) {
        this(tasksSubmitted, tasksCompleted, tasksFailed, chunksCompleted, bytesToWorkers, bytesFromWorkers,
                parentSerializeNanos, parentDeserializeNanos, workerDeserializeNanos, workerExecuteNanos,
                workerSerializeNanos, roundTripNanos, workersStarted, workersLost, 0, 0);
    }

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

    /**
     * Reads at a glance: how many tasks finished and how many of those failed, and what each finished task cost
     * on average, phase by phase. Means per task rather than sums, since chunks run side by side: a sum over them
     * can exceed the wall time of the calls.
     */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "PoolStats[tasks: %d submitted, %d finished (%d of them failed); chunks: %d; bytes: %d out, %d in; "
                        + "per finished task: serialise %.1f us here + %.1f us in the worker, deserialise %.1f us "
                        + "here + %.1f us in the worker, execute %.1f us, queue+transport %.1f us; "
                        + "workers: %d started, %d lost, %d recycled, %d live]",
                tasksSubmitted, tasksCompleted, tasksFailed, chunksCompleted, bytesToWorkers, bytesFromWorkers,
                meanMicros(parentSerializeNanos), meanMicros(workerSerializeNanos),
                meanMicros(parentDeserializeNanos), meanMicros(workerDeserializeNanos),
                meanMicros(workerExecuteNanos), meanMicros(queueAndTransportNanos()),
                workersStarted, workersLost, workersRecycled, liveWorkers);
    }

    /** A time summed over tasks, as a mean per finished task in microseconds; zero before any finished. */
    private double meanMicros(long nanos) {
        return tasksCompleted == 0 ? 0 : nanos / 1e3 / tasksCompleted;
    }
}
