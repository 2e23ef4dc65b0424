package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.internal.PoolCounters;

import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The pool's slots, by index: starting their workers, replacing them, adding slots for workers that came by
 * themselves (a cluster's members), lending idle ones to callers' threads, and the questions the conductor asks of
 * all of them at once.
 *
 * <p>Owner: the conductor's thread writes the table; it is a part of the {@link Conductor}, apart only to keep each
 * role readable. Callers' threads read it to borrow an idle slot ({@link #borrowIdle()}), which is why the array is
 * volatile and replaced, never written in place once published beyond the conductor; any thread may queue
 * additions ({@link #add}).
 */
final class SlotTable {
    private final SlotFactory factory;
    private final PoolCounters counters;
    private final Consumer<SlotEnd> onEnd;
    private final Runnable wakeConductor;
    /** Written by the conductor's thread alone; grown when a slot is added. */
    private volatile WorkerSlot[] slots;
    /** Slots to add, from any thread, each batch with what to do once it is in. */
    private final Queue<Addition> additions = new ConcurrentLinkedQueue<>();

    private record Addition(List<SlotMaker> makers, Runnable then) {
    }

    /**
     * @param size          the slots the pool starts with
     * @param factory       starts workers
     * @param counters      counts the workers started
     * @param onEnd         to tell, on any thread, when a slot's worker has ended
     * @param wakeConductor wakes the conductor's thread
     */
    SlotTable(int size, SlotFactory factory, PoolCounters counters, Consumer<SlotEnd> onEnd, Runnable wakeConductor) {
        this.factory = factory;
        this.counters = counters;
        this.onEnd = onEnd;
        this.wakeConductor = wakeConductor;
        this.slots = new WorkerSlot[size];
    }

    /**
     * Starts a worker in each of the first {@code count} slots (the others start as work needs them, see
     * {@link SlotSizing}); if one cannot start, kills those started and throws.
     *
     * @return the slots, as started
     */
    List<WorkerSlot> startFirst(int count) {
        WorkerSlot[] all = slots;
        try {
            for (int slot = 0; slot < count; slot++) {
                all[slot] = launch(slot);
            }
            for (int slot = 0; slot < count; slot++) {
                if (all[slot] != null) {
                    factory.afterLaunch(all[slot]);
                }
            }
            return List.of(Arrays.copyOf(all, count));
        } catch (RuntimeException | Error e) {
            for (WorkerSlot worker : all) {
                if (worker != null) {
                    worker.channel().kill("the pool could not start: " + e.getMessage());
                    worker.channel().release();
                }
            }
            throw e;
        }
    }

    /** {@return every slot, by index; an entry is null where no worker was ever started} */
    WorkerSlot[] all() {
        return slots;
    }

    /**
     * Starts a new worker in slot {@code index}, in place of the one that ended there.
     *
     * @return the new worker's slot, or null where the factory starts none (a cluster's members come by themselves)
     * @throws io.procpool.PoolException if its worker cannot be started
     */
    WorkerSlot replace(int index) {
        WorkerSlot started = launch(index);
        slots[index] = started;
        if (started != null) {
            try {
                factory.afterLaunch(started);
            } catch (RuntimeException e) {
                // Its end, which follows, counts as a failed start, saying why.
                started.channel().kill("its set-up failed: " + e.getMessage());
            }
        }
        return started;
    }

    /** {@return the slot started at {@code index}, or null where the factory starts none (members come by themselves)} */
    private WorkerSlot launch(int index) {
        WorkerSlot worker = factory.start(index, onEnd);
        if (worker != null) {
            counters.workersStarted.add(worker.channel().workers());
            counters.liveWorkers.add(worker.channel().workers());
        }
        wakeConductor.run();
        return worker;
    }

    /** Any thread: queues slots to add in one turn, then {@code then}; see {@link Conductor#addSlots}. */
    void add(List<SlotMaker> makers, Runnable then) {
        additions.add(new Addition(List.copyOf(makers), then));
        wakeConductor.run();
    }

    /**
     * The conductor's thread: adds the slots queued, if the pool still takes them, and runs what waits for each batch.
     *
     * @param accepting whether the pool is running; a pool that is stopping adds none
     * @return whether there was any batch
     */
    boolean acceptAdditions(boolean accepting) {
        boolean worked = false;
        Addition addition;
        while ((addition = additions.poll()) != null) {
            worked = true;
            if (accepting) {
                for (SlotMaker maker : addition.makers()) {
                    addSlot(maker);
                }
            }
            addition.then().run();
        }
        return worked;
    }

    private void addSlot(SlotMaker maker) {
        WorkerSlot[] now = slots;
        int index = 0;
        while (index < now.length && now[index] != null && now[index].isAlive()) {
            index++;
        }
        WorkerSlot slot = maker.make(index, onEnd);
        if (slot == null) {
            return;
        }
        if (index == now.length) {
            now = Arrays.copyOf(now, now.length + 1);
        }
        now[index] = slot;
        slots = now;
        counters.workersStarted.add(slot.channel().workers());
        counters.liveWorkers.add(slot.channel().workers());
    }

    /**
     * The conductor's thread: a slot's worker is gone; counted out of the live workers the first time only.
     *
     * @return the state it was in when its worker ended
     */
    WorkerSlot.State exited(WorkerSlot worker) {
        WorkerSlot.State was = worker.onExited();
        if (was != WorkerSlot.State.EXITED) {
            counters.liveWorkers.add(-worker.channel().workers());
        }
        return was;
    }

    /**
     * The conductor's thread, with nothing to send: offers each idle slot to callers' threads, which drive it
     * themselves with none of the hand-offs through the conductor (see {@link DirectPath}).
     *
     * @param maxTasksPerChild a worker's task limit, or 0: a worker at its limit is not lent, it must retire
     */
    void lendIdle(long maxTasksPerChild) {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.heldByConductor() && worker.takesChunks() && worker.inFlight.isEmpty()
                    && !worker.exitSeen && (maxTasksPerChild == 0 || worker.itemsSent < maxTasksPerChild)) {
                worker.lend();
            }
        }
    }

    /**
     * A caller's thread: takes an idle slot the conductor offers, looking from a rotating start.
     *
     * @return the slot this thread now holds, or {@code null} if none is offered
     */
    WorkerSlot borrowIdle() {
        WorkerSlot[] all = slots;
        int start = (int) (Thread.currentThread().getId() % all.length);
        for (int i = 0; i < all.length; i++) {
            WorkerSlot worker = all[(start + i) % all.length];
            if (worker != null && worker.borrow()) {
                return worker;
            }
        }
        return null;
    }

    /** {@return the chunks the slots hold; a slot a caller's thread drives holds that caller's one} */
    long chunksHeld() {
        long held = 0;
        for (WorkerSlot worker : slots) {
            if (worker != null) {
                held += worker.isLent() ? 1 : worker.inFlight.size();
            }
        }
        return held;
    }

    /** {@return whether a slot's worker owes the conductor a message: results or a start} */
    boolean expectingAnswers() {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.isAlive() && !worker.isLent() && (!worker.inFlight.isEmpty()
                    || !worker.takesChunks())) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether every slot started has its worker ready} */
    boolean allReady() {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.state() != WorkerSlot.State.READY) {
                return false;
            }
        }
        return true;
    }

    /** {@return whether no slot's worker is alive} */
    boolean allExited() {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The conductor's thread, every supervision: passes on each live slot's heartbeat, and kills the workers the
     * supervisor judges hung or over their time limit.
     */
    void supervise(long now, Supervisor supervisor) {
        for (WorkerSlot worker : slots) {
            if (worker == null || !worker.isAlive()) {
                continue;
            }
            worker.channel().beat(now);
            Supervisor.Kill kill = supervisor.check(worker);
            if (kill != null) {
                worker.timeout = kill.timeout();
                worker.channel().kill(kill.reason());
            }
        }
    }

    /**
     * The conductor's thread, the pool shutting down with no work left: tells each idle worker to finish and end.
     *
     * @return whether any was told
     */
    boolean shutDownIdle() {
        boolean worked = false;
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.mayShutDown() && worker.reclaim()) {
                worker.channel().sendShutdown();
                worker.onShutdownSent();
                worked = true;
            }
        }
        return worked;
    }

    /** Has every live slot's worker killed, for {@code reason}. */
    void killAll(String reason) {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.isAlive()) {
                worker.channel().kill(reason);
            }
        }
    }

    /** Takes the slots still reported alive long after their kill for ended, and releases their channels. */
    void giveUpOnAlive() {
        for (WorkerSlot worker : slots) {
            if (worker != null && worker.isAlive()) {
                exited(worker);
                worker.channel().release();
            }
        }
    }

    /** The pool is broken: ends the calls of every chunk a slot holds with {@code failure}, and kills the workers. */
    void failHeldAndKill(PoolException failure) {
        for (WorkerSlot worker : slots) {
            if (worker != null) {
                for (WorkerSlot.InFlight sent : worker.inFlight) {
                    sent.chunk().call().end(failure);
                }
                if (worker.isAlive()) {
                    worker.channel().kill(failure.getMessage());
                }
            }
        }
    }

    /**
     * The conductor's last act: kills what is left, waits until {@code deadlineNanos} for each worker's watcher to
     * see its end, releases the channels, and closes the factory.
     */
    void close(long deadlineNanos) {
        for (WorkerSlot worker : slots) {
            if (worker == null) {
                continue;
            }
            if (worker.isAlive()) {
                worker.channel().kill("the pool is closing");
                worker.channel().awaitWatcher(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                exited(worker);
                factory.ended(worker, false);
                worker.channel().release();
            }
            worker.channel().awaitWatcher(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
        }
        factory.close();
    }
}
