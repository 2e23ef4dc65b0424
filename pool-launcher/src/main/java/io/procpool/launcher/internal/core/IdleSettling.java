package io.procpool.launcher.internal.core;

/**
 * Gives each worker that has had no work for {@link #SETTLE_AFTER_NANOS} ({@link SlotIdleness}) the set-up its
 * channel deferred from its start ({@link SlotChannel#settle()}: a worker JVM's Chronicle queues), at each
 * supervision that finds it idle until the channel says it is done, so that it costs the first calls nothing: on a
 * small machine every core is then running their tasks. A worker replaced in its slot is settled in turn.
 *
 * <p>Owned by the conductor's thread, which calls {@link #settleIdle} from its supervision.
 */
final class IdleSettling {
    /**
     * How long a slot must have had no work: longer than the pauses of a program that keeps its pool busy (between
     * its calls, or at the end of a map while the last items run elsewhere), so that the set-up lands in real idle
     * time.
     */
    static final long SETTLE_AFTER_NANOS = 200_000_000L;

    private final SlotTable table;
    private final SlotIdleness idleness = new SlotIdleness();
    /** Per slot index: the worker that was settled there, so that its replacement is settled in turn. */
    private WorkerSlot[] settled = new WorkerSlot[0];

    /** @param table the pool's slots, whose number may grow (a cluster's members join) */
    IdleSettling(SlotTable table) {
        this.table = table;
    }

    /**
     * Looks at every slot; settles those idle long enough.
     *
     * @param now the time now, from the supervisor's clock
     */
    void settleIdle(long now) {
        WorkerSlot[] all = table.all();
        if (all.length > settled.length) {
            settled = java.util.Arrays.copyOf(settled, all.length);
        }
        for (int i = 0; i < all.length; i++) {
            WorkerSlot worker = all[i];
            if (worker == null || worker.state() != WorkerSlot.State.READY || settled[i] == worker) {
                continue;
            }
            if (idleness.idleNanos(i, worker, now) >= SETTLE_AFTER_NANOS && worker.reclaim()
                    && idleness.stillIdle(i, worker, now)) {
                if (worker.channel().settle()) {
                    settled[i] = worker;
                }
            }
        }
    }
}
