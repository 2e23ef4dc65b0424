package io.procpool.launcher.internal.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines a pool writes to the application's log (through SLF4J, logger {@code io.procpool.launcher}) when one of
 * its workers ends other than as asked, or is replaced: WARN for a loss (a crash, a timeout, a hung or failed start),
 * INFO for the rest (retired at its task limit, killed to stop a cancelled call, replaced). Each names the pool, the
 * worker's index and pid, and why. These are rare events, called on the conductor's thread as a worker's end is
 * handled, never per task; a worker that leaves as asked when the pool shuts down, or dies as the pool is
 * terminated, says nothing. And ERROR once if the conductor's loop itself fails, which breaks the pool. Without an
 * SLF4J binding the lines go nowhere, as SLF4J says once.
 */
final class WorkerEvents {
    /**
     * The logger, got at the first line rather than when a pool starts: getting it starts the application's SLF4J
     * provider (its configuration read, for Logback), which a fresh JVM's first pool would otherwise do before it
     * launches its first worker; a pool whose workers all behave never logs.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger("io.procpool.launcher");
    }

    private final String pool;

    WorkerEvents(String pool) {
        this.pool = pool;
    }

    /** The conductor's loop failed: the pool is broken, its calls fail and its workers are killed. */
    void loopFailed(io.procpool.PoolException broken) {
        Log.LOG.error("pool {}: {}; its calls fail and its workers are killed", pool, broken.getMessage(),
                broken.getCause());
    }

    /**
     * A slot's worker ended.
     *
     * @param worker      the slot, its state already {@code EXITED}
     * @param end         how it ended
     * @param was         the state it was in when it ended
     * @param expected    whether it left as asked: shut down or retired, exit code 0, not killed
     * @param terminating whether the pool is being terminated, which ends every worker
     */
    void ended(WorkerSlot worker, SlotEnd end, WorkerSlot.State was, boolean expected, boolean terminating) {
        if (terminating || expected && was == WorkerSlot.State.SHUTTING_DOWN) {
            return;
        }
        String killReason = worker.channel().killReason();
        if (expected) {
            Log.LOG.info("pool {}: worker {} (pid {}) retired, having run its maxTasksPerChild tasks", pool,
                    worker.index(), worker.pid());
        } else if (worker.stoppedForCancel) {
            Log.LOG.info("pool {}: worker {} (pid {}) was killed to stop a cancelled call", pool, worker.index(),
                    worker.pid());
        } else if (worker.timeout != null) {
            Log.LOG.warn("pool {}: worker {} (pid {}) timed out and was killed: {}", pool, worker.index(), worker.pid(),
                    killReason);
        } else if (was == WorkerSlot.State.STARTING) {
            Log.LOG.warn("pool {}: worker {} (pid {}) failed to start: {}", pool, worker.index(), worker.pid(),
                    howItEnded(end, killReason));
        } else {
            Log.LOG.warn("pool {}: worker {} (pid {}) was lost: {}", pool, worker.index(), worker.pid(),
                    howItEnded(end, killReason));
        }
    }

    /**
     * A new worker took an ended one's place.
     *
     * @param ended       the slot whose worker ended
     * @param replacement the slot of the new worker
     */
    void replaced(WorkerSlot ended, WorkerSlot replacement) {
        Log.LOG.info("pool {}: worker {} (pid {}) replaced the one with pid {}", pool, replacement.index(),
                replacement.pid(), ended.pid());
    }

    private static String howItEnded(SlotEnd end, String killReason) {
        if (end.launchFailure() != null) {
            return "it could not be run: " + end.launchFailure();
        }
        if (killReason != null) {
            return "it was killed because " + killReason;
        }
        int code = end.exitCode();
        if (code > 128 && code < 160) {
            return "it was killed by signal " + (code - 128) + " (exit code " + code + ")";
        }
        return "it exited with code " + code;
    }
}
