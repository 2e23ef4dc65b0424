package io.procpool.launcher;

import io.procpool.PoolStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals behind {@link io.procpool.Pool#stats()}: written by the pool's loop thread and the callers
 * that serialise functions, read by anyone at any time.
 */
final class PoolCounters {
    final LongAdder tasksSubmitted = new LongAdder();
    final LongAdder tasksCompleted = new LongAdder();
    final LongAdder tasksFailed = new LongAdder();
    final LongAdder chunksCompleted = new LongAdder();
    final LongAdder bytesToWorkers = new LongAdder();
    final LongAdder bytesFromWorkers = new LongAdder();
    final LongAdder parentSerializeNanos = new LongAdder();
    final LongAdder parentDeserializeNanos = new LongAdder();
    final LongAdder workerDeserializeNanos = new LongAdder();
    final LongAdder workerExecuteNanos = new LongAdder();
    final LongAdder workerSerializeNanos = new LongAdder();
    final LongAdder roundTripNanos = new LongAdder();
    final LongAdder workersStarted = new LongAdder();
    final LongAdder workersLost = new LongAdder();

    PoolStats snapshot() {
        return new PoolStats(tasksSubmitted.sum(), tasksCompleted.sum(), tasksFailed.sum(), chunksCompleted.sum(),
                bytesToWorkers.sum(), bytesFromWorkers.sum(), parentSerializeNanos.sum(),
                parentDeserializeNanos.sum(), workerDeserializeNanos.sum(), workerExecuteNanos.sum(),
                workerSerializeNanos.sum(), roundTripNanos.sum(), workersStarted.sum(), workersLost.sum());
    }
}
