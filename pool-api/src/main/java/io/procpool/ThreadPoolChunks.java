package io.procpool;

import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;

/**
 * What a {@link ThreadPool}'s thread does with a chunk it was handed: runs its items in order until its call ends,
 * turns what they throw into the items' failures, and counts and times the chunk for the pool's stats.
 */
final class ThreadPoolChunks {
    private ThreadPoolChunks() {
    }

    /**
     * Runs a chunk on the calling thread and completes it in its call.
     *
     * @param chunk the chunk
     * @param stats the pool's counters
     */
    static void run(Chunk chunk, PoolCounters stats) {
        long start = System.nanoTime();
        Object[] values = new Object[chunk.size()];
        PoolException[] failures = null;
        int ran = 0;
        for (int i = 0; i < chunk.size(); i++) {
            if (chunk.call().hasEnded()) {
                break; // the call failed or was cancelled: the rest of its items need not run
            }
            ran++;
            try {
                values[i] = chunk.call().fn().apply(chunk.items()[i]);
            } catch (Throwable t) {
                if (failures == null) {
                    failures = new PoolException[chunk.size()];
                }
                failures[i] = new TaskFailedException(t);
                stats.tasksFailed.increment();
            }
        }
        long elapsed = System.nanoTime() - start;
        chunk.call().chunkTimed(Math.max(1, ran), elapsed);
        stats.workerExecuteNanos.add(elapsed);
        stats.roundTripNanos.add(elapsed);
        stats.tasksCompleted.add(ran);
        stats.chunksCompleted.increment();
        chunk.call().complete(chunk, values, failures);
    }
}
