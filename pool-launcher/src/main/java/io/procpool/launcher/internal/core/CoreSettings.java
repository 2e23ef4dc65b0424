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
 */
public record CoreSettings(int slots, int maxTasksPerChild, int retries, Duration taskTimeout,
                           Duration heartbeatTimeout, Duration startTimeout, IdleStrategy.Mode idleMode) {
}
