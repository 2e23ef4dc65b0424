package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.runtime.NanoClock;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The thread that drives a pool, and the one owner of its slots' state. Each turn it takes new calls, handles workers
 * that ended, has the {@link Collector} act on what slots reported and the {@link Scheduler} send chunks to slots
 * with room, every two milliseconds acts on the {@link Supervisor}'s judgements (heartbeats, timeouts, start
 * failures), and moves the pool through its {@link Lifecycle}. Other threads never write a slot: callers hand work
 * over through a lock-free queue, whatever watches a worker's end hands that over through another, and each wakes
 * the thread. With nothing to do it offers idle slots to callers' threads, which then drive a blocking call
 * themselves ({@link DirectPath}) and give the slot back, or hand the call over here when they cannot finish it.
 * Below it, each slot's {@link SlotChannel} is the transport; a {@link SlotFactory} starts workers.
 *
 * <p>Its parts, each run on its thread and apart only so that each role reads alone: the {@link SlotTable} (the
 * slots, their starts and the lending), the {@link CallIntake} (calls coming in), {@link SlotEnds} (workers that
 * ended, with {@link HeldChunks} for what they held) and {@link Cancellations}.
 *
 * <pre>
 * callers --submit--> incoming --+                 +--> channel (slot n) --> worker n
 *                                 +--> Conductor --+
 * watchers --end--> ends --------+                 +&lt;-- channel (slot n) &lt;-- worker n
 * caller (idle pool) --borrow a slot, drive its channel, give it back--> worker n
 * </pre>
 */
public final class Conductor implements Runnable {
    private static final long SUPERVISE_INTERVAL_NANOS = 2_000_000;
    private static final long EXIT_WAIT_AFTER_KILL_MS = 10_000;
    private static final long SPACE_CHECK_INTERVAL_NANOS = 100_000_000;
    /** With nothing in flight the loop sleeps this long at most: callers and exits unpark it. */
    private static final long MAX_DEEP_PARK_NANOS = 250_000_000;

    private final WorkerEvents events;
    private final CoreSettings settings;
    private final SlotFactory factory;
    private final PoolCounters counters;
    private final IdleStrategy idle;
    private final Thread thread;
    private final CallIntake incoming = new CallIntake(this::wake);
    private final AtomicLong chunkSeqs = new AtomicLong(1);
    private final Scheduler dispatcher;
    private final SlotTable slots;
    private final Cancellations cancellations;
    private final SlotEnds ends;
    /** The workers the pool started with, for its start-up breakdown; replacements are not among them. */
    private final List<WorkerSlot> firstWorkers;
    private final Collector collector;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Supervisor supervisor;
    private final SlotSizing sizing;
    private final IdleSettling settling;

    /** Where the pool is: written by callers (shutdown, terminate) and by the loop; read by anyone. */
    private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.RUNNING);
    /** The furthest state the loop has acted on; the loop's own. */
    private Lifecycle handled = Lifecycle.RUNNING;
    private long terminateNanos;
    private long lastSuperviseNanos;
    private volatile PoolException broken;
    private long lastSpaceCheckNanos;

    /**
     * Starts the pool's workers, each in its slot; the conductor's thread starts with {@link #start()}.
     *
     * @param pool     the pool's name, for its thread ({@code procpool-<pool>-loop}) and its log lines
     * @param settings what the core acts on
     * @param factory  starts workers
     * @param counters the pool's counters
     * @throws PoolException if a worker cannot be started at all; those started are killed
     */
    public Conductor(String pool, CoreSettings settings, SlotFactory factory, PoolCounters counters) {
        this(pool, settings, factory, counters, System::nanoTime);
    }

    /**
     * As {@link #Conductor(String, CoreSettings, SlotFactory, PoolCounters)}, on a clock of the caller's: a test's,
     * which moves time on heartbeats and timeouts without waiting for it.
     *
     * @param pool     the pool's name, for its thread ({@code procpool-<pool>-loop}) and its log lines
     * @param settings what the core acts on
     * @param factory  starts workers
     * @param counters the pool's counters
     * @param clock    the supervisor's clock
     * @throws PoolException if a worker cannot be started at all; those started are killed
     */
    public Conductor(String pool, CoreSettings settings, SlotFactory factory, PoolCounters counters,
                     NanoClock clock) {
        this.events = new WorkerEvents(pool);
        this.settings = settings;
        this.factory = factory;
        this.counters = counters;
        this.idle = new IdleStrategy(settings.idleMode(),
                Math.min(MAX_DEEP_PARK_NANOS, settings.heartbeatTimeout().toNanos() / 4));
        factory.checkResources();
        this.supervisor = new Supervisor(settings.heartbeatTimeout(), settings.taskTimeout(),
                settings.startTimeout(), settings.retries(), settings.slots(), clock);
        this.thread = new Thread(this, io.procpool.internal.PoolNames.thread(pool, "loop"));
        this.thread.setDaemon(true);
        this.dispatcher = new Scheduler(settings.maxTasksPerChild(), counters, chunkSeqs);
        this.collector = new Collector(counters, dispatcher::forget, this::onWorkerReady);
        this.slots = new SlotTable(settings.slots(), factory, counters, this::onEnd, this::wake);
        this.ends = new SlotEnds(slots, collector, factory, counters,
                new HeldChunks(dispatcher, supervisor, counters, settings.taskTimeout()), supervisor, started,
                this::wake, new EndsView(), events);
        this.cancellations = new Cancellations(slots, supervisor, this::wake,
                () -> lifecycle.get() == Lifecycle.STOPPED);
        this.sizing = new SlotSizing(settings.minSlots(), settings.slots(), settings.keepAlive(), slots);
        this.settling = new IdleSettling(slots);
        firstWorkers = slots.startFirst(settings.minSlots());
        if (firstWorkers.isEmpty()) {
            started.complete(null); // its workers come by themselves (a cluster's members)
        }
    }

    /** Starts the conductor's thread. */
    public void start() {
        thread.start();
    }

    /** {@return the conductor's thread} */
    public Thread thread() {
        return thread;
    }

    /** {@return the workers the pool started with, by slot; replacements are not among them} */
    public List<WorkerSlot> firstWorkers() {
        return firstWorkers;
    }

    /** {@return completes when every first worker is ready, or exceptionally when the pool cannot start} */
    public CompletableFuture<Void> started() {
        return started;
    }

    /** {@return completes when the conductor has ended: no worker or thread of the pool is left} */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /**
     * Hands a call to the conductor; called by any thread.
     *
     * @param call the call
     * @throws PoolException         if the pool is broken, saying why
     * @throws IllegalStateException if the pool takes no new work
     */
    public void submit(ActiveCall call) {
        PoolException why = broken;
        if (why != null) {
            throw new PoolException(why.getMessage(), why);
        }
        if (lifecycle.get() != Lifecycle.RUNNING) {
            throw new IllegalStateException("the pool is shut down and accepts no new work");
        }
        adopt(call);
    }

    /**
     * Hands the loop a call that a caller's thread began itself and cannot finish (its worker died, the pool is
     * stopping, the caller was interrupted): its chunk is in flight on the worker given back with it.
     */
    void adopt(ActiveCall call) {
        incoming.add(call);
        if (lifecycle.get() == Lifecycle.STOPPED) {
            // The loop ended between the check and the add: nobody else will see this call.
            incoming.failAll(new PoolException("the pool was shut down"));
        }
    }

    /** Asks the pool to finish its work and stop: Python's {@code close()}. */
    public void requestShutdown() {
        advance(Lifecycle.SHUTDOWN);
        LockSupport.unpark(thread);
    }

    /** Asks the pool to stop now, failing unfinished work and killing its workers. */
    public void requestTerminate() {
        advance(Lifecycle.TERMINATING);
        LockSupport.unpark(thread);
    }

    /** Moves the pool to {@code next}, unless it is there or further already. */
    private void advance(Lifecycle next) {
        lifecycle.getAndUpdate(now -> now.atLeast(next) ? now : next);
    }

    /** {@return why the pool is broken, or {@code null}} */
    public PoolException broken() {
        return broken;
    }

    /** {@return whether the pool takes no new work} */
    public boolean isStopping() {
        return lifecycle.get() != Lifecycle.RUNNING;
    }

    @Override
    public void run() {
        try {
            while (lifecycle.get() != Lifecycle.STOPPED) {
                boolean worked = slots.acceptAdditions(
                        handled == Lifecycle.RUNNING && lifecycle.get() == Lifecycle.RUNNING);
                worked |= acceptCalls();
                worked |= ends.handle();
                WorkerSlot[] workers = slots.all();
                for (WorkerSlot worker : workers) {
                    if (worker != null && worker.isAlive() && worker.heldByConductor()) {
                        worked |= collector.collect(worker);
                    }
                }
                worked |= dispatcher.dispatch(workers, sizing.mayGrow(!handled.atLeast(Lifecycle.TERMINATING)));
                worked |= sizing.grow(dispatcher.hasResends());
                worked |= cancellations.act();
                long now = supervisor.nanoTime();
                if (now - lastSuperviseNanos >= SUPERVISE_INTERVAL_NANOS) {
                    lastSuperviseNanos = now;
                    supervise(now);
                }
                Lifecycle asked = lifecycle.get();
                if (asked.atLeast(Lifecycle.TERMINATING)) {
                    terminateNow(now);
                } else if (asked == Lifecycle.SHUTDOWN) {
                    worked |= progressShutdown();
                }
                boolean finished = slots.allExited() && (handled.atLeast(Lifecycle.TERMINATING)
                        || handled == Lifecycle.SHUTDOWN && workLeft() == 0);
                if (finished) {
                    lifecycle.set(Lifecycle.STOPPED);
                } else if (worked) {
                    idle.reset();
                } else {
                    lendIdleWorkers();
                    idle.idle(expectingAnswers());
                }
            }
        } catch (Throwable t) {
            broken = new PoolException("procpool's loop thread failed: " + t, t);
            events.loopFailed(broken); // now, not only to the next call: a program between calls would not know
            failEverything(broken);
        } finally {
            lifecycle.set(Lifecycle.STOPPED);
            try {
                cleanUp();
            } finally {
                stopped.complete(null);
            }
        }
    }

    private boolean acceptCalls() {
        PoolException refusal = handled.atLeast(Lifecycle.TERMINATING)
                ? new PoolException("the pool was terminated") : broken;
        return incoming.moveTo(dispatcher, refusal, handled == Lifecycle.SHUTDOWN);
    }

    /** With nothing to send, offers each idle slot to callers' threads (see {@link DirectPath}). */
    private void lendIdleWorkers() {
        if (lifecycle.get() != Lifecycle.RUNNING || dispatcher.pending() > 0 || !incoming.isEmpty()) {
            return;
        }
        slots.lendIdle(settings.maxTasksPerChild());
    }

    /**
     * A caller's thread: takes an idle worker the loop offers.
     *
     * @return the worker this thread now holds, or {@code null} if none is offered
     */
    WorkerSlot borrowIdleWorker() {
        return slots.borrowIdle();
    }

    /** {@return the number for the next chunk sent to any worker} */
    long nextChunkSeq() {
        return chunkSeqs.getAndIncrement();
    }

    /**
     * Cancels calls whose chunks were handed to workers, as {@code cancel(true)} does, and says which never started:
     * those whose every chunk still waited in a worker's queue. Each call is named to the workers holding it first,
     * and only then is what they received read, so that either the worker sees the name and skips the chunk, or this
     * side sees it received; where a channel cannot say what its worker runs, its chunks count as started. Called by
     * any thread; waits at most a second for the conductor, and then says none.
     *
     * @param calls the calls, in submission order
     * @return those that never started, now cancelled
     */
    public Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        return Thread.currentThread() == thread ? cancellations.withdraw(calls)
                : cancellations.requestWithdrawal(calls);
    }

    /** A call was cancelled: its running chunks must be stopped. Called by any thread. */
    public void cancelled() {
        if (Thread.currentThread() == thread) {
            cancellations.stopCancelledChunks(); // a cancel from a callback on this thread, which owns the state
        } else {
            cancellations.requestStop();
        }
    }

    /** Wakes the loop: a caller's thread gave back a worker the loop must look at. */
    public void wake() {
        LockSupport.unpark(thread);
    }

    /** {@return whether the pool is being terminated or is broken: a caller's thread stops driving a worker} */
    boolean isTerminating() {
        return lifecycle.get().atLeast(Lifecycle.TERMINATING);
    }

    private long workLeft() {
        return dispatcher.pending() + slots.chunksHeld() + incoming.size();
    }

    // ---------------------------------------------------------------- supervisor

    private void supervise(long now) {
        slots.supervise(now, supervisor);
        if (lifecycle.get() == Lifecycle.RUNNING) {
            sizing.shrinkIdle(now);
            settling.settleIdle(now);
        }
        cancellations.stopCancelledChunks();
        if (now - lastSpaceCheckNanos > SPACE_CHECK_INTERVAL_NANOS) {
            lastSpaceCheckNanos = now;
            try {
                factory.checkResources();
            } catch (PoolException e) {
                broken = e;
                failEverything(e);
            }
        }
        dispatcher.reapFinishedCalls();
    }

    /**
     * Adds slots for workers that came by themselves (cluster members that joined), all in one turn, then runs
     * {@code then} on the conductor's thread; called by any thread. A pool that is stopping adds none.
     *
     * @param makers make the slots, on the conductor's thread
     * @param then   what to do once they are in: so that whoever waits for them finds all or none
     */
    public void addSlots(List<SlotMaker> makers, Runnable then) {
        slots.add(makers, then);
    }

    /** A slot's worker ended: told on any thread. */
    private void onEnd(SlotEnd end) {
        ends.report(end);
    }

    /** {@return whether a worker owes the loop a message: results, a start, or an exit} */
    private boolean expectingAnswers() {
        return ends.anyDeferred() || slots.expectingAnswers() || dispatcher.hasResends();
    }

    private void onWorkerReady(WorkerSlot ready) {
        supervisor.started();
        if (!started.isDone() && slots.allReady()) {
            started.complete(null);
        }
    }

    /** The pool as {@link SlotEnds} sees it: on this thread, as the rest of the loop. */
    private final class EndsView implements SlotEnds.Pool {
        @Override
        public boolean terminating() {
            return handled.atLeast(Lifecycle.TERMINATING);
        }

        @Override
        public boolean replacesWorkers() {
            Lifecycle now = lifecycle.get();
            return now == Lifecycle.RUNNING || !now.atLeast(Lifecycle.TERMINATING) && workLeft() > 0;
        }

        @Override
        public void breakDown(PoolException why) {
            broken = why;
            failEverything(why);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private boolean progressShutdown() {
        if (handled == Lifecycle.RUNNING) {
            handled = Lifecycle.SHUTDOWN;
            for (ActiveCall call : dispatcher.calls()) {
                if (call.call().isLazy()) {
                    call.call().stopReading();
                }
            }
        }
        if (workLeft() > 0) {
            return false;
        }
        return slots.shutDownIdle();
    }

    private void terminateNow(long now) {
        if (!handled.atLeast(Lifecycle.TERMINATING)) {
            handled = Lifecycle.TERMINATING;
            terminateNanos = now;
            endAllCalls(new PoolException("the pool was terminated"));
            slots.killAll("the pool was terminated");
        } else if ((now - terminateNanos) / 1_000_000 > EXIT_WAIT_AFTER_KILL_MS) {
            // SIGKILL always ends a process that exists; one still reported alive is beyond our reach.
            slots.giveUpOnAlive();
        }
    }

    private void endAllCalls(PoolException failure) {
        incoming.failAll(failure);
        dispatcher.endAll(failure);
        if (!started.isDone()) {
            started.completeExceptionally(failure);
        }
    }

    /** The loop cannot go on: fail all work, kill all workers. */
    private void failEverything(PoolException failure) {
        endAllCalls(failure);
        slots.failHeldAndKill(failure);
        advance(Lifecycle.BROKEN);
    }

    private void cleanUp() {
        incoming.failAll(new PoolException("the pool was shut down"));
        slots.close(System.nanoTime() + EXIT_WAIT_AFTER_KILL_MS * 1_000_000);
    }
}
