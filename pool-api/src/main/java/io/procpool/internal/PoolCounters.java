package io.procpool.internal;

import io.procpool.PoolStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals behind {@link io.procpool.Pool#stats()}, for both pools: written by whichever threads do the
 * work, read by anyone at any time. A thread pool leaves the serialisation and byte counters at zero.
 */
public final class PoolCounters {
    public final LongAdder tasksSubmitted = new LongAdder();
    public final LongAdder tasksCompleted = new LongAdder();
    public final LongAdder tasksFailed = new LongAdder();
    public final LongAdder chunksCompleted = new LongAdder();
    public final LongAdder bytesToWorkers = new LongAdder();
    public final LongAdder bytesFromWorkers = new LongAdder();
    public final LongAdder parentSerializeNanos = new LongAdder();
    public final LongAdder parentDeserializeNanos = new LongAdder();
    public final LongAdder workerDeserializeNanos = new LongAdder();
    public final LongAdder workerExecuteNanos = new LongAdder();
    public final LongAdder workerSerializeNanos = new LongAdder();
    public final LongAdder roundTripNanos = new LongAdder();
    public final LongAdder workersStarted = new LongAdder();
    public final LongAdder workersLost = new LongAdder();

    /** @return the totals now */
    public PoolStats snapshot() {
        return new PoolStats(tasksSubmitted.sum(), tasksCompleted.sum(), tasksFailed.sum(), chunksCompleted.sum(),
                bytesToWorkers.sum(), bytesFromWorkers.sum(), parentSerializeNanos.sum(),
                parentDeserializeNanos.sum(), workerDeserializeNanos.sum(), workerExecuteNanos.sum(),
                workerSerializeNanos.sum(), roundTripNanos.sum(), workersStarted.sum(), workersLost.sum());
    }
}
