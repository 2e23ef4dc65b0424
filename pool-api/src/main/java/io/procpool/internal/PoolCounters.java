package io.procpool.internal;

import io.procpool.PoolStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals behind {@link io.procpool.Pool#stats()}, for both pools: written by whichever threads do the
 * work, read by anyone at any time. A thread pool leaves the serialisation and byte counters at zero.
 */
public final class PoolCounters {
    /** The running total behind {@link PoolStats#tasksSubmitted()}. */
    public final LongAdder tasksSubmitted = new LongAdder();
    /** The running total behind {@link PoolStats#tasksCompleted()}. */
    public final LongAdder tasksCompleted = new LongAdder();
    /** The running total behind {@link PoolStats#tasksFailed()}. */
    public final LongAdder tasksFailed = new LongAdder();
    /** The running total behind {@link PoolStats#chunksCompleted()}. */
    public final LongAdder chunksCompleted = new LongAdder();
    /** The running total behind {@link PoolStats#bytesToWorkers()}. */
    public final LongAdder bytesToWorkers = new LongAdder();
    /** The running total behind {@link PoolStats#bytesFromWorkers()}. */
    public final LongAdder bytesFromWorkers = new LongAdder();
    /** The running total behind {@link PoolStats#parentSerializeNanos()}. */
    public final LongAdder parentSerializeNanos = new LongAdder();
    /** The running total behind {@link PoolStats#parentDeserializeNanos()}. */
    public final LongAdder parentDeserializeNanos = new LongAdder();
    /** The running total behind {@link PoolStats#workerDeserializeNanos()}. */
    public final LongAdder workerDeserializeNanos = new LongAdder();
    /** The running total behind {@link PoolStats#workerExecuteNanos()}. */
    public final LongAdder workerExecuteNanos = new LongAdder();
    /** The running total behind {@link PoolStats#workerSerializeNanos()}. */
    public final LongAdder workerSerializeNanos = new LongAdder();
    /** The running total behind {@link PoolStats#roundTripNanos()}. */
    public final LongAdder roundTripNanos = new LongAdder();
    /** The running total behind {@link PoolStats#workersStarted()}. */
    public final LongAdder workersStarted = new LongAdder();
    /** The running total behind {@link PoolStats#workersLost()}. */
    public final LongAdder workersLost = new LongAdder();
    /** The running total behind {@link PoolStats#workersRecycled()}. */
    public final LongAdder workersRecycled = new LongAdder();

    /**
     * Classes that exist only in the parent's memory, sent to workers by value: counted once per worker and
     * version of a class, not per task.
     */
    public final LongAdder classesToWorkers = new LongAdder();
    /**
     * The workers alive now, behind {@link PoolStats#liveWorkers()}: added to as a worker starts and taken from as
     * it ends, by the thread that sees each.
     */
    public final LongAdder liveWorkers = new LongAdder();

    /** Creates counters that all start at zero. */
    public PoolCounters() {
    }

    /**
     * Returns the totals as they are now. Counters written while it runs may or may not be included.
     *
     * @return the totals now
     */
    public PoolStats snapshot() {
        return new PoolStats(tasksSubmitted.sum(), tasksCompleted.sum(), tasksFailed.sum(), chunksCompleted.sum(),
                bytesToWorkers.sum(), bytesFromWorkers.sum(), parentSerializeNanos.sum(),
                parentDeserializeNanos.sum(), workerDeserializeNanos.sum(), workerExecuteNanos.sum(),
                workerSerializeNanos.sum(), roundTripNanos.sum(), workersStarted.sum(), workersLost.sum(),
                workersRecycled.sum(), liveWorkers.sum());
    }
}
