package io.procpool.launcher.internal.core;

import java.util.Arrays;

/**
 * How long the worker in each slot has had no work, as the conductor's supervision sees it: a worker is busy while it
 * is lent to a caller's thread, holds chunks, or was sent items since the last look; a worker new in its slot counts
 * as busy at its first look. What acts on an idle worker ({@link SlotSizing}, {@link IdleSettling}) keeps one of its
 * own.
 *
 * <p>Owner: the conductor's thread. A lent slot's count of items sent is read only as a hint: whoever acts on an idle
 * worker first holds it again ({@link WorkerSlot#reclaim()}) and then asks {@link #stillIdle}.
 */
final class SlotIdleness {
    /** Per slot index: the worker last looked at, the items it had been sent then, and when it was last seen busy. */
    private WorkerSlot[] looked = new WorkerSlot[0];
    private long[] itemsSeen = new long[0];
    private long[] busyNanos = new long[0];

    /**
     * Looks at the worker in a slot.
     *
     * @param index  the slot's index
     * @param worker the worker in it now
     * @param now    the supervisor's clock
     * @return how long it has had no work: 0 if it is busy now or new in the slot
     */
    long idleNanos(int index, WorkerSlot worker, long now) {
        if (index >= looked.length) { // a cluster's slots grow as members join
            looked = Arrays.copyOf(looked, index + 1);
            itemsSeen = Arrays.copyOf(itemsSeen, index + 1);
            busyNanos = Arrays.copyOf(busyNanos, index + 1);
        }
        if (looked[index] != worker || busy(worker, index)) {
            looked[index] = worker;
            itemsSeen[index] = worker.itemsSent;
            busyNanos[index] = now;
            return 0;
        }
        return now - busyNanos[index];
    }

    /**
     * After the caller has reclaimed an idle worker: whether it is idle still. One sent work while it was lent is
     * busy from now.
     *
     * @param index  the slot's index
     * @param worker the worker in it, held by the conductor
     * @param now    the supervisor's clock
     * @return whether it may be acted on as idle
     */
    boolean stillIdle(int index, WorkerSlot worker, long now) {
        if (busy(worker, index)) {
            itemsSeen[index] = worker.itemsSent;
            busyNanos[index] = now;
            return false;
        }
        return true;
    }

    private boolean busy(WorkerSlot worker, int index) {
        return worker.isLent() || !worker.inFlight.isEmpty() || worker.itemsSent != itemsSeen[index];
    }
}
