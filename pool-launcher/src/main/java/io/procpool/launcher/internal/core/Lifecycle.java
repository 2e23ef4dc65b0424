package io.procpool.launcher.internal.core;

/**
 * Where a pool is in its life. It only moves down this list: {@link #SHUTDOWN} and {@link #TERMINATING} are
 * asked for by callers, {@link #BROKEN} by the loop when it cannot go on, {@link #STOPPED} when the loop has ended.
 */
public enum Lifecycle {
    /** Takes new work. */
    RUNNING,
    /** Takes no new work; finishes what it has, then its workers exit. */
    SHUTDOWN,
    /** Ends every call and kills every worker. */
    TERMINATING,
    /** Terminating because it cannot go on (workers keep failing to start, no disk space, the loop failed). */
    BROKEN,
    /** The loop has ended: no worker, thread or file of the pool is left. */
    STOPPED;

    /**
     * Tells whether this state comes at or after another.
     *
     * @param other a state
     * @return whether this state is {@code other} or later
     */
    public boolean atLeast(Lifecycle other) {
        return compareTo(other) >= 0;
    }
}
