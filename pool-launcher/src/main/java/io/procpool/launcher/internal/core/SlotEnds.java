package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.internal.PoolCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Slots whose worker ended: what it wrote before it ended is taken, what it held is settled ({@link HeldChunks}), a
 * worker that never started counts towards a broken pool, and the slot gets a new worker while the pool needs one.
 *
 * <p>Owner: a part of the {@link Conductor}, apart only to keep each role readable. Whatever watches a worker's end
 * reports it on its own thread ({@link #report}); only the conductor's thread acts on it ({@link #handle()}), and
 * not while a caller's thread still drives the slot: that end waits until the slot is given back.
 */
final class SlotEnds {
    private static final int SIGKILL_EXIT = 128 + 9;

    /** What an end needs to know of the pool, and may do to it. */
    interface Pool {
        /** {@return whether the conductor has begun to terminate the pool: its workers' ends are no loss} */
        boolean terminating();

        /** {@return whether a slot whose worker ended gets a new one: the pool runs, or has work left} */
        boolean replacesWorkers();

        /** The pool cannot go on: fail its work, kill its workers. */
        void breakDown(PoolException why);
    }

    private final SlotTable slots;
    private final Collector collector;
    private final SlotFactory factory;
    private final PoolCounters counters;
    private final HeldChunks heldChunks;
    private final Supervisor supervisor;
    private final CompletableFuture<Void> started;
    private final Runnable wakeConductor;
    private final Pool pool;
    private final WorkerEvents events;
    private final Queue<SlotEnd> reported = new ConcurrentLinkedQueue<>();
    /** Ends of workers a caller's thread still held when they were seen; handled once it gives them back. */
    private final List<SlotEnd> deferred = new ArrayList<>();

    SlotEnds(SlotTable slots, Collector collector, SlotFactory factory, PoolCounters counters, HeldChunks heldChunks,
             Supervisor supervisor, CompletableFuture<Void> started, Runnable wakeConductor, Pool pool,
             WorkerEvents events) {
        this.slots = slots;
        this.collector = collector;
        this.factory = factory;
        this.counters = counters;
        this.heldChunks = heldChunks;
        this.supervisor = supervisor;
        this.started = started;
        this.wakeConductor = wakeConductor;
        this.pool = pool;
        this.events = events;
    }

    /** Any thread: a slot's worker ended. */
    void report(SlotEnd end) {
        end.slot().exitSeen = true;
        reported.add(end);
        wakeConductor.run();
    }

    /** {@return whether an end waits for a caller's thread to give its slot back} */
    boolean anyDeferred() {
        return !deferred.isEmpty();
    }

    /**
     * The conductor's thread: acts on the ends reported, each once its slot is back in the conductor's hands.
     *
     * @return whether it acted on any
     */
    boolean handle() {
        boolean worked = false;
        if (!deferred.isEmpty()) {
            reported.addAll(deferred);
            deferred.clear();
        }
        SlotEnd end;
        int count = reported.size();
        for (int i = 0; i < count && (end = reported.poll()) != null; i++) {
            if (end.slot().reclaim()) {
                worked = true;
                onEnd(end);
            } else {
                // A caller's thread drives it: it sees exitSeen and gives the worker back with its chunk.
                deferred.add(end);
            }
        }
        return worked;
    }

    private void onEnd(SlotEnd end) {
        WorkerSlot worker = end.slot();
        if (worker.state() == WorkerSlot.State.EXITED) {
            return;
        }
        // What the worker wrote before it died is complete and valid: take it first.
        collector.drain(worker);
        WorkerSlot.State was = slots.exited(worker);
        boolean expected = end.exitCode() == 0 && worker.channel().killReason() == null
                && (was == WorkerSlot.State.SHUTTING_DOWN || was == WorkerSlot.State.RETIRING);
        factory.ended(worker, expected);
        events.ended(worker, end, was, expected, pool.terminating());
        if (!expected && !worker.stoppedForCancel && !pool.terminating()) {
            counters.workersLost.add(worker.channel().workers());
        } else if (expected && was == WorkerSlot.State.RETIRING) {
            counters.workersRecycled.increment();
        }
        heldChunks.settle(worker, end, expected);
        worker.channel().release();
        if (was == WorkerSlot.State.STARTING && !pool.terminating()) {
            onStartFailure(worker, end);
        }
        if (started.isDone() && !started.isCompletedExceptionally() && pool.replacesWorkers()
                && !worker.idleExpired) {
            try {
                WorkerSlot replacement = slots.replace(worker.index);
                if (replacement != null) {
                    events.replaced(worker, replacement);
                }
            } catch (PoolException e) {
                // Its directory or queues could not be made: a start failure like any other.
                countStartFailure(e);
            }
        }
    }

    private void onStartFailure(WorkerSlot worker, SlotEnd end) {
        PoolException failure = worker.channel().startFailed(end, worker.initFailure);
        if (!started.isDone()) {
            started.completeExceptionally(failure);
            return;
        }
        if (end.exitCode() == SIGKILL_EXIT && worker.channel().killReason() == null) {
            // Killed from outside (by a person, the OOM killer) while starting: nothing says the next one fails.
            return;
        }
        countStartFailure(failure);
    }

    private void countStartFailure(PoolException failure) {
        if (supervisor.startFailed()) {
            pool.breakDown(new PoolException("the pool is broken: " + supervisor.consecutiveStartFailures()
                    + " workers in a row failed to start; the last: " + failure.getMessage(), failure));
        }
    }
}
