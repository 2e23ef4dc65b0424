package io.procpool.launcher.internal.core;

import io.procpool.worker.internal.runtime.IdleStrategy;

import java.time.Duration;

/**
 * The settings of a pool that the core acts on, checked where the pool was built.
 *
 * @param slots            how many workers the pool runs
 * @param maxTasksPerChild items per worker before it is replaced, or 0 for no limit
 * @param retries          how many more times a chunk whose worker died runs
 * @param taskTimeout      the longest an item may run, or {@code null} for no limit
 * @param heartbeatTimeout the oldest a worker's heartbeat may get
 * @param startTimeout     the longest a worker may take to get ready
 * @param idleMode         how the conductor's thread waits for work
 * @param minSlots         how many workers the pool keeps when idle, at most {@code slots}: the others start as
 *                         work needs them
 * @param keepAlive        how long a worker above {@code minSlots} may stay idle before it ends; ignored when
 *                         {@code minSlots} is {@code slots}
 */
public record CoreSettings(int slots, int maxTasksPerChild, int retries, Duration taskTimeout,
                           Duration heartbeatTimeout, Duration startTimeout, IdleStrategy.Mode idleMode,
                           int minSlots, Duration keepAlive) {
    /**
     * The settings of a fixed pool: every worker starts with it and stays.
     *
     * @param slots            how many workers the pool runs
     * @param maxTasksPerChild items per worker before it is replaced, or 0 for no limit
     * @param retries          how many more times a chunk whose worker died runs
     * @param taskTimeout      the longest an item may run, or {@code null} for no limit
     * @param heartbeatTimeout the oldest a worker's heartbeat may get
     * @param startTimeout     the longest a worker may take to get ready
     * @param idleMode         how the conductor's thread waits for work
     */
    public CoreSettings(int slots, int maxTasksPerChild, int retries, Duration taskTimeout,
                        Duration heartbeatTimeout, Duration startTimeout, IdleStrategy.Mode idleMode) {
        this(slots, maxTasksPerChild, retries, taskTimeout, heartbeatTimeout, startTimeout, idleMode, slots, null);
    }
}
