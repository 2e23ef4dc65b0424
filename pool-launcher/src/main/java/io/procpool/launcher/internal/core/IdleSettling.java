package io.procpool.launcher.internal.core;

/**
 * Gives each slot that has had no work for {@link #SETTLE_AFTER_NANOS} the set-up its channel deferred from its start
 * ({@link SlotChannel#settle()}: a worker JVM's Chronicle queues), once per worker, so that it costs the first calls
 * nothing: on a
 * small machine every core is then running their tasks. A slot that is lent to a caller's thread, holds chunks, or
 * was sent items since the last look is busy; a worker replaced in its slot is looked at anew.
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
    private WorkerSlot[] looked = new WorkerSlot[0];
    private long[] itemsSeen = new long[0];
    private long[] busyNanos = new long[0];
    private boolean[] settled = new boolean[0];

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
        if (all.length > looked.length) {
            looked = java.util.Arrays.copyOf(looked, all.length);
            itemsSeen = java.util.Arrays.copyOf(itemsSeen, all.length);
            busyNanos = java.util.Arrays.copyOf(busyNanos, all.length);
            settled = java.util.Arrays.copyOf(settled, all.length);
        }
        for (int i = 0; i < all.length; i++) {
            WorkerSlot worker = all[i];
            if (worker == null || worker.state() != WorkerSlot.State.READY) {
                continue;
            }
            if (looked[i] != worker) {
                looked[i] = worker;
                settled[i] = false;
                itemsSeen[i] = worker.itemsSent;
                busyNanos[i] = now;
            } else if (settled[i]) {
                continue;
            } else if (busy(worker, i)) {
                itemsSeen[i] = worker.itemsSent;
                busyNanos[i] = now;
            } else if (now - busyNanos[i] >= SETTLE_AFTER_NANOS && worker.reclaim()) {
                if (busy(worker, i)) { // sent work while it was lent: read again now that this thread holds it
                    itemsSeen[i] = worker.itemsSent;
                    busyNanos[i] = now;
                    continue;
                }
                settled[i] = true;
                worker.channel().settle();
            }
        }
    }

    private boolean busy(WorkerSlot worker, int i) {
        return worker.isLent() || !worker.inFlight.isEmpty() || worker.itemsSent != itemsSeen[i];
    }
}
