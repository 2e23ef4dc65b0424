package io.procpool.launcher.internal.core;

import java.time.Duration;

/**
 * A pool sized by demand, {@code ThreadPoolExecutor}'s core size and keep-alive: between {@code minSlots} and the
 * table's size, it starts a worker when a chunk waits that no slot can take, one starting at a time, and has a worker
 * above the minimum that has been sent nothing for {@code keepAlive} finish and end, not to be replaced. A fixed pool
 * (minimum = maximum) does none of it. The new worker starts while the chunks already sent run: nothing waits for it
 * but the chunks no slot could take.
 *
 * <p>Owner: the conductor's thread, as for the {@link SlotTable} it sizes; a part of the {@link Conductor}, apart only
 * to keep each role readable. How long a worker has been idle is its {@link SlotIdleness}'s to say; it decides on a
 * slot only once it holds it again ({@link WorkerSlot#reclaim()}).
 */
final class SlotSizing {
    private final int minSlots;
    private final long keepAliveNanos;
    private final int maxSlots;
    private final SlotTable table;
    private final SlotIdleness idleness = new SlotIdleness();

    /**
     * @param minSlots  the slots kept when idle
     * @param maxSlots  the most slots, the table's size
     * @param keepAlive how long a slot above {@code minSlots} may stay idle, or {@code null} for a fixed pool
     * @param table     the slots
     */
    SlotSizing(int minSlots, int maxSlots, Duration keepAlive, SlotTable table) {
        this.minSlots = minSlots;
        this.keepAliveNanos = keepAlive == null || minSlots >= maxSlots ? 0 : keepAlive.toNanos();
        this.maxSlots = maxSlots;
        this.table = table;
    }

    /** {@return whether the pool may start another worker now: sized by demand, and not all slots are alive} */
    boolean mayGrow(boolean running) {
        return keepAliveNanos > 0 && running && live(table.all()) < maxSlots;
    }

    /**
     * After the scheduler's turn: starts a worker in a free slot when a chunk waits that no slot could take and none
     * is starting already.
     *
     * @param waiting whether a chunk waits that no slot could take
     * @return whether a worker was started
     */
    boolean grow(boolean waiting) {
        if (!waiting || keepAliveNanos == 0) {
            return false;
        }
        WorkerSlot[] all = table.all();
        int free = -1;
        for (int i = all.length - 1; i >= 0; i--) {
            if (all[i] != null && all[i].state() == WorkerSlot.State.STARTING) {
                return false;
            }
            if (all[i] == null || all[i].state() == WorkerSlot.State.EXITED) {
                free = i;
            }
        }
        if (free < 0) {
            return false;
        }
        table.replace(free);
        return true;
    }

    /**
     * Every supervision, while the pool runs: has each worker above the minimum that was sent nothing for
     * {@code keepAlive} finish and end. It exits cleanly: neither lost nor replaced.
     *
     * @param now the supervisor's clock
     */
    void shrinkIdle(long now) {
        if (keepAliveNanos == 0) {
            return;
        }
        WorkerSlot[] all = table.all();
        int live = live(all);
        for (int i = 0; i < all.length && live > minSlots; i++) {
            WorkerSlot worker = all[i];
            if (worker == null || worker.state() != WorkerSlot.State.READY) {
                continue;
            }
            if (idleness.idleNanos(i, worker, now) >= keepAliveNanos && worker.reclaim()
                    && idleness.stillIdle(i, worker, now)) {
                worker.idleExpired = true;
                worker.channel().sendShutdown();
                worker.onShutdownSent();
                live--;
            }
        }
    }

    /** {@return the slots whose worker is starting or running, not leaving} */
    private static int live(WorkerSlot[] all) {
        int live = 0;
        for (WorkerSlot worker : all) {
            if (worker != null && (worker.state() == WorkerSlot.State.STARTING
                    || worker.state() == WorkerSlot.State.READY)) {
                live++;
            }
        }
        return live;
    }
}
