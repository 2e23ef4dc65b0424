package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.TaskTimeoutException;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.runtime.NanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

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
    private static final int SIGKILL_EXIT = 128 + 9;
    /** With nothing in flight the loop sleeps this long at most: callers and exits unpark it. */
    private static final long MAX_DEEP_PARK_NANOS = 250_000_000;
    /** The longest a cancelling thread waits for the loop to tell the workers. */
    private static final long CANCEL_WAIT_NANOS = 1_000_000_000;

    private final CoreSettings settings;
    private final SlotFactory factory;
    private final PoolCounters counters;
    private final IdleStrategy idle;
    private final Thread thread;
    private final Queue<ActiveCall> incoming = new ConcurrentLinkedQueue<>();
    private final Queue<SlotEnd> exits = new ConcurrentLinkedQueue<>();
    /** Ends of workers a caller's thread still held when they were seen; handled once it gives them back. */
    private final List<SlotEnd> deferredExits = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong chunkSeqs = new java.util.concurrent.atomic.AtomicLong(1);
    private final Scheduler dispatcher;
    /** Written by this thread alone; grown when a slot is added ({@link #addSlot}). */
    private volatile WorkerSlot[] workers;
    /** Slots to add, from any thread, each batch with what to do once it is in: a cluster's members come and go. */
    private final Queue<Addition> additions = new ConcurrentLinkedQueue<>();

    private record Addition(List<SlotMaker> makers, Runnable then) {
    }
    /** The workers the pool started with, for its start-up breakdown; replacements are not among them. */
    private final List<WorkerSlot> firstWorkers;
    private final Collector collector;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Supervisor supervisor;

    /** Where the pool is: written by callers (shutdown, terminate) and by the loop; read by anyone. */
    private final java.util.concurrent.atomic.AtomicReference<Lifecycle> lifecycle =
            new java.util.concurrent.atomic.AtomicReference<>(Lifecycle.RUNNING);
    /** The furthest state the loop has acted on; the loop's own. */
    private Lifecycle handled = Lifecycle.RUNNING;
    private long terminateNanos;
    private long lastSuperviseNanos;
    private volatile PoolException broken;
    private long lastSpaceCheckNanos;
    /** Counted by threads that cancelled a call; the loop records how many it has acted on. */
    private final java.util.concurrent.atomic.AtomicLong cancelRequests = new java.util.concurrent.atomic.AtomicLong();
    private volatile long cancelsHandled;
    /** Calls to cancel, asking which never started ({@link #cancelReportingUnstarted}); answered by this thread. */
    private final Queue<Withdrawal> withdrawals = new ConcurrentLinkedQueue<>();

    /** Calls to cancel, and the answer: those of them that never started. */
    private record Withdrawal(List<MapCall> calls, CompletableFuture<java.util.Set<MapCall>> unstarted) {
    }

    /**
     * Starts the pool's workers, each in its slot; the conductor's thread starts with {@link #start()}.
     *
     * @param name     names the conductor's thread
     * @param settings what the core acts on
     * @param factory  starts workers
     * @param counters the pool's counters
     * @throws PoolException if a worker cannot be started at all; those started are killed
     */
    public Conductor(String name, CoreSettings settings, SlotFactory factory, PoolCounters counters) {
        this(name, settings, factory, counters, System::nanoTime);
    }

    /**
     * As {@link #Conductor(String, CoreSettings, SlotFactory, PoolCounters)}, on a clock of the caller's: a test's,
     * which moves time on heartbeats and timeouts without waiting for it.
     *
     * @param name     names the conductor's thread
     * @param settings what the core acts on
     * @param factory  starts workers
     * @param counters the pool's counters
     * @param clock    the supervisor's clock
     * @throws PoolException if a worker cannot be started at all; those started are killed
     */
    public Conductor(String name, CoreSettings settings, SlotFactory factory, PoolCounters counters,
                     NanoClock clock) {
        this.settings = settings;
        this.factory = factory;
        this.counters = counters;
        this.idle = new IdleStrategy(settings.idleMode(),
                Math.min(MAX_DEEP_PARK_NANOS, settings.heartbeatTimeout().toNanos() / 4));
        factory.checkResources();
        this.workers = new WorkerSlot[settings.slots()];
        this.supervisor = new Supervisor(settings.heartbeatTimeout(), settings.taskTimeout(),
                settings.startTimeout(), settings.retries(), settings.slots(), clock);
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
        this.dispatcher = new Scheduler(settings.maxTasksPerChild(), counters, chunkSeqs);
        this.collector = new Collector(counters, dispatcher::forget, this::onWorkerReady);
        try {
            for (int slot = 0; slot < workers.length; slot++) {
                workers[slot] = launch(slot);
            }
            firstWorkers = List.of(workers.clone());
            if (workers.length == 0) {
                started.complete(null); // its workers come by themselves (a cluster's members)
            }
        } catch (RuntimeException | Error e) {
            for (WorkerSlot worker : workers) {
                if (worker != null) {
                    worker.channel().kill("the pool could not start: " + e.getMessage());
                    worker.channel().release();
                }
            }
            throw e;
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
        LockSupport.unpark(thread);
        if (lifecycle.get() == Lifecycle.STOPPED) {
            // The loop ended between the check and the add: nobody else will see this call.
            drainIncoming(new PoolException("the pool was shut down"));
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
        Lifecycle now;
        do {
            now = lifecycle.get();
            if (now.atLeast(next)) {
                return;
            }
        } while (!lifecycle.compareAndSet(now, next));
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
                boolean worked = acceptSlots();
                worked |= acceptCalls();
                worked |= handleExits();
                for (WorkerSlot worker : workers) {
                    if (worker != null && worker.isAlive() && worker.heldByConductor()) {
                        worked |= collector.collect(worker);
                    }
                }
                worked |= dispatcher.dispatch(workers);
                Withdrawal withdrawal;
                while ((withdrawal = withdrawals.poll()) != null) {
                    withdrawal.unstarted().complete(withdraw(withdrawal.calls()));
                    worked = true;
                }
                long requests = cancelRequests.get();
                if (requests != cancelsHandled) {
                    stopCancelledChunks();
                    cancelsHandled = requests;
                }
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
                boolean finished = allWorkersExited() && (handled.atLeast(Lifecycle.TERMINATING)
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

    // ---------------------------------------------------------------- calls

    private boolean acceptCalls() {
        boolean worked = false;
        ActiveCall call;
        while ((call = incoming.poll()) != null) {
            worked = true;
            if (handled.atLeast(Lifecycle.TERMINATING)) {
                call.call().end(new PoolException("the pool was terminated"));
                continue;
            }
            if (broken != null) {
                call.call().end(broken);
                continue;
            }
            Call theCall = call.call();
            theCall.onRoom(() -> LockSupport.unpark(thread));
            dispatcher.add(call);
            if (handled == Lifecycle.SHUTDOWN && theCall.isLazy()) {
                theCall.stopReading();
            }
        }
        return worked;
    }

    /**
     * With nothing to send, offers each idle worker to callers' threads: a caller that finds one drives it
     * itself, with none of the hand-offs through this thread (see {@link DirectPath}).
     */
    private void lendIdleWorkers() {
        if (lifecycle.get() != Lifecycle.RUNNING || dispatcher.pending() > 0
                || !incoming.isEmpty()) {
            return;
        }
        for (WorkerSlot worker : workers) {
            if (worker != null && worker.heldByConductor() && worker.takesChunks() && worker.inFlight.isEmpty()
                    && !worker.exitSeen
                    && (settings.maxTasksPerChild() == 0 || worker.itemsSent < settings.maxTasksPerChild())) {
                worker.lend();
            }
        }
    }

    /**
     * A caller's thread: takes an idle worker the loop offers, looking from a rotating start.
     *
     * @return the worker this thread now holds, or {@code null} if none is offered
     */
    WorkerSlot borrowIdleWorker() {
        WorkerSlot[] all = workers;
        int start = (int) (Thread.currentThread().getId() % all.length);
        for (int i = 0; i < all.length; i++) {
            WorkerSlot worker = all[(start + i) % all.length];
            if (worker != null && worker.borrow()) {
                return worker;
            }
        }
        return null;
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
     * any thread; waits at most {@value #CANCEL_WAIT_NANOS} ns for the conductor, and then says none.
     *
     * @param calls the calls, in submission order
     * @return those that never started, now cancelled
     */
    public java.util.Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        if (Thread.currentThread() == thread) {
            return withdraw(calls);
        }
        Withdrawal withdrawal = new Withdrawal(calls, new CompletableFuture<>());
        withdrawals.add(withdrawal);
        LockSupport.unpark(thread);
        try {
            return withdrawal.unstarted().get(CANCEL_WAIT_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            calls.forEach(call -> call.cancel(true)); // a conductor stopping or stuck: cancel them all as started
            return java.util.Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            calls.forEach(call -> call.cancel(true));
            return java.util.Set.of();
        }
    }

    /** This thread: {@link #cancelReportingUnstarted}. */
    private java.util.Set<MapCall> withdraw(List<MapCall> calls) {
        java.util.Set<MapCall> unstarted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (MapCall call : calls) {
            if (!call.hasEnded() && !mayHaveStarted(call)) {
                unstarted.add(call);
            }
        }
        // The unstarted first, without interrupting anything; then the others, latest first, so that stopping a
        // running chunk frees no worker for a later one (nothing is sent while this thread is here anyway).
        for (MapCall call : unstarted) {
            call.cancel(false);
        }
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (!unstarted.contains(calls.get(i))) {
                calls.get(i).cancel(true);
            }
        }
        return unstarted;
    }

    /**
     * Whether any chunk of a call may have begun: names the call to every slot that holds one of its chunks, so
     * that a worker that has not received it yet skips it, then reads what each received.
     */
    private boolean mayHaveStarted(Call call) {
        boolean held = false;
        for (WorkerSlot worker : workers) {
            if (worker == null || !worker.isAlive()) {
                continue;
            }
            if (!worker.heldByConductor()) {
                if (worker.isLent()) {
                    return true; // a caller's thread drives it, and may be running this call: count it as started
                }
                continue;
            }
            if (!holds(worker, call)) {
                continue;
            }
            held = true;
            if (worker.currentChunk() == SlotChannel.UNKNOWN) {
                return true; // its transport cannot say what its worker runs: the call may have begun
            }
            worker.nameCancelledCall(call.id());
            long received = worker.currentChunk();
            for (WorkerSlot.InFlight sent : worker.inFlight) {
                if (sent.chunk().call() == call && sent.seq() <= received) {
                    return true;
                }
            }
        }
        // A call no worker holds was answered, or waits to be sent again: it started, or may have.
        return !held;
    }

    private static boolean holds(WorkerSlot worker, Call call) {
        for (WorkerSlot.InFlight sent : worker.inFlight) {
            if (sent.chunk().call() == call) {
                return true;
            }
        }
        return false;
    }

    /** A call was cancelled: its running chunks must be stopped. Called by any thread. */
    public void cancelled() {
        if (Thread.currentThread() == thread) {
            stopCancelledChunks(); // a cancel from a callback on this thread: act now, this thread owns the state
            return;
        }
        long request = cancelRequests.incrementAndGet();
        LockSupport.unpark(thread);
        // Wait until the loop has named the call to the workers, so that when cancel() or an iterator's close()
        // returns, no chunk of the call that is queued in a worker starts any more. Bounded: a loop that is stopping
        // or stuck must not hold the caller.
        long deadline = System.nanoTime() + CANCEL_WAIT_NANOS;
        while (cancelsHandled < request && lifecycle.get() != Lifecycle.STOPPED && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    /**
     * Has each worker skip the chunks of cancelled calls queued in it, and kills the workers running chunks of calls
     * cancelled with {@code cancel(true)}; called when a call is cancelled and on every supervision.
     */
    private void stopCancelledChunks() {
        for (WorkerSlot worker : workers) {
            if (worker == null || !worker.isAlive() || !worker.heldByConductor() || worker.inFlight.isEmpty()) {
                continue;
            }
            for (WorkerSlot.InFlight sent : worker.inFlight) {
                Call call = sent.chunk().call();
                if (call.isCancelled()) {
                    worker.nameCancelledCall(call.id());
                }
            }
            Supervisor.Kill kill = supervisor.checkCancelled(worker, worker.inFlight);
            if (kill != null) {
                worker.stoppedForCancel = true;
                worker.channel().kill(kill.reason());
            }
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

    private void drainIncoming(PoolException failure) {
        ActiveCall call;
        while ((call = incoming.poll()) != null) {
            call.call().end(failure);
        }
    }

    private long workLeft() {
        long inFlight = 0;
        for (WorkerSlot worker : workers) {
            if (worker != null) {
                // A worker a caller's thread drives holds that caller's chunk.
                inFlight += worker.isLent() ? 1 : worker.inFlight.size();
            }
        }
        return dispatcher.pending() + inFlight + incoming.size();
    }

    // ---------------------------------------------------------------- supervisor

    private void supervise(long now) {
        for (WorkerSlot worker : workers) {
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
        stopCancelledChunks();
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

    private boolean handleExits() {
        boolean worked = false;
        if (!deferredExits.isEmpty()) {
            List<SlotEnd> again = new ArrayList<>(deferredExits);
            deferredExits.clear();
            exits.addAll(again);
        }
        SlotEnd exit;
        int count = exits.size();
        for (int i = 0; i < count && (exit = exits.poll()) != null; i++) {
            if (exit.slot().reclaim()) {
                worked = true;
                onExit(exit);
            } else {
                // A caller's thread drives it: it sees exitSeen and gives the worker back with its chunk.
                deferredExits.add(exit);
            }
        }
        return worked;
    }

    private void onExit(SlotEnd exit) {
        WorkerSlot worker = exit.slot();
        if (worker.state() == WorkerSlot.State.EXITED) {
            return;
        }
        // What the worker wrote before it died is complete and valid: take it first.
        collector.drain(worker);
        WorkerSlot.State was = worker.onExited();
        boolean expected = exit.exitCode() == 0 && worker.channel().killReason() == null
                && (was == WorkerSlot.State.SHUTTING_DOWN || was == WorkerSlot.State.RETIRING);
        factory.ended(worker, expected);
        if (!expected && !worker.stoppedForCancel && !handled.atLeast(Lifecycle.TERMINATING)) {
            counters.workersLost.add(worker.channel().workers());
        }
        long running = worker.currentChunk();
        List<WorkerSlot.InFlight> held = new ArrayList<>(worker.inFlight);
        worker.inFlight.clear();
        for (int k = held.size() - 1; k >= 0; k--) {
            WorkerSlot.InFlight sent = held.get(k);
            Chunk chunk = sent.chunk();
            int attempt = dispatcher.attemptsOf(chunk);
            switch (supervisor.fateOf(sent.seq(), chunk.call().hasEnded(), expected, running, worker.timeout,
                    attempt)) {
                case DROP -> {
                    dispatcher.forget(chunk);
                    chunk.call().abandon(chunk);
                }
                case RUN_ELSEWHERE -> dispatcher.resend(chunk);
                case FAIL_TIMED_OUT -> failTimedOut(worker, chunk);
                case RETRY -> {
                    dispatcher.recordAttempt(chunk, attempt + 1);
                    dispatcher.resend(chunk);
                }
                case FAIL_CRASHED -> {
                    dispatcher.forget(chunk);
                    chunk.call().fail(chunk, worker.channel().crashed(exit, chunk, attempt + 1));
                    counters.tasksCompleted.add(chunk.size());
                    counters.tasksFailed.add(chunk.size());
                }
            }
        }
        worker.channel().release();
        if (was == WorkerSlot.State.STARTING && !handled.atLeast(Lifecycle.TERMINATING)) {
            onStartFailure(worker, exit);
        }
        if (needsReplacement()) {
            try {
                workers[worker.index] = launch(worker.index);
            } catch (PoolException e) {
                // Its directory or queues could not be made: a start failure like any other.
                countStartFailure(e);
            }
        }
    }

    private void failTimedOut(WorkerSlot worker, Chunk chunk) {
        Call call = chunk.call();
        int late = (int) Math.max(0, Math.min(chunk.size() - 1, worker.timeout.index() - chunk.firstIndex()));
        Chunk lateItem = call.slice(chunk, late, late + 1);
        if (late + 1 < chunk.size()) {
            dispatcher.resend(call.slice(chunk, late + 1, chunk.size()));
        }
        if (late > 0) {
            dispatcher.resend(call.slice(chunk, 0, late));
        }
        call.abandon(chunk);
        counters.tasksCompleted.increment();
        counters.tasksFailed.increment();
        call.fail(lateItem, new TaskTimeoutException(String.format(
                "item %d ran for %d ms, past the task timeout of %d ms; its worker (pid %d) was killed and "
                        + "replaced", lateItem.firstIndex(), worker.timeout.elapsedNanos() / 1_000_000,
                settings.taskTimeout().toMillis(), worker.pid()), settings.taskTimeout()));
    }

    private void onStartFailure(WorkerSlot worker, SlotEnd exit) {
        PoolException failure = worker.channel().startFailed(exit, worker.initFailure);
        if (!started.isDone()) {
            started.completeExceptionally(failure);
            return;
        }
        if (exit.exitCode() == SIGKILL_EXIT && worker.channel().killReason() == null) {
            // Killed from outside (by a person, the OOM killer) while starting: nothing says the next one fails.
            return;
        }
        countStartFailure(failure);
    }

    private void countStartFailure(PoolException failure) {
        if (supervisor.startFailed()) {
            broken = new PoolException("the pool is broken: " + supervisor.consecutiveStartFailures()
                    + " workers in a row failed to start; the last: " + failure.getMessage(), failure);
            failEverything(broken);
        }
    }

    private boolean needsReplacement() {
        Lifecycle now = lifecycle.get();
        if (now.atLeast(Lifecycle.TERMINATING) || !started.isDone() || started.isCompletedExceptionally()) {
            return false;
        }
        return now == Lifecycle.RUNNING || workLeft() > 0;
    }

    /** {@return the slot started at {@code slot}, or null where the factory starts none (members come by themselves)} */
    private WorkerSlot launch(int slot) {
        WorkerSlot worker = factory.start(slot, this::onEnd);
        if (worker != null) {
            counters.workersStarted.add(worker.channel().workers());
        }
        LockSupport.unpark(thread);
        return worker;
    }

    /** A slot's worker ended: told on any thread. */
    private void onEnd(SlotEnd end) {
        end.slot().exitSeen = true;
        exits.add(end);
        LockSupport.unpark(thread);
    }

    /** Makes a slot for a worker that came by itself, at the index the conductor gives it. */
    @FunctionalInterface
    public interface SlotMaker {
        /**
         * @param index where the slot goes
         * @param onEnd to tell, on any thread, when its worker has ended
         * @return the slot, or null if its worker is gone already
         */
        WorkerSlot make(int index, java.util.function.Consumer<SlotEnd> onEnd);
    }

    /**
     * Adds slots for workers that came by themselves (cluster members that joined), all in one turn, then runs
     * {@code then} on the conductor's thread; called by any thread. A pool that is stopping adds none.
     *
     * @param makers make the slots, on the conductor's thread
     * @param then   what to do once they are in: so that whoever waits for them finds all or none
     */
    public void addSlots(List<SlotMaker> makers, Runnable then) {
        additions.add(new Addition(List.copyOf(makers), then));
        LockSupport.unpark(thread);
    }

    private boolean acceptSlots() {
        boolean worked = false;
        Addition addition;
        while ((addition = additions.poll()) != null) {
            worked = true;
            if (handled == Lifecycle.RUNNING && lifecycle.get() == Lifecycle.RUNNING) {
                for (SlotMaker maker : addition.makers()) {
                    addSlot(maker);
                }
            }
            addition.then().run();
        }
        return worked;
    }

    private void addSlot(SlotMaker maker) {
        WorkerSlot[] now = workers;
        int index = 0;
        while (index < now.length && now[index] != null && now[index].isAlive()) {
            index++;
        }
        WorkerSlot slot = maker.make(index, this::onEnd);
        if (slot == null) {
            return;
        }
        if (index == now.length) {
            now = java.util.Arrays.copyOf(now, now.length + 1);
        }
        now[index] = slot;
        workers = now;
        counters.workersStarted.add(slot.channel().workers());
    }

    /** {@return whether a worker owes the loop a message: results, a start, or an exit} */
    private boolean expectingAnswers() {
        if (!deferredExits.isEmpty()) {
            return true;
        }
        for (WorkerSlot worker : workers) {
            if (worker != null && worker.isAlive() && !worker.isLent() && (!worker.inFlight.isEmpty()
                    || !worker.takesChunks())) {
                return true;
            }
        }
        return dispatcher.hasResends();
    }

    private void onWorkerReady(WorkerSlot ready) {
        supervisor.started();
        if (!started.isDone() && allWorkersReady()) {
            started.complete(null);
        }
    }

    private boolean allWorkersReady() {
        for (WorkerSlot worker : workers) {
            if (worker == null || worker.state() != WorkerSlot.State.READY) {
                return false;
            }
        }
        return true;
    }

    private boolean allWorkersExited() {
        for (WorkerSlot worker : workers) {
            if (worker != null && worker.isAlive()) {
                return false;
            }
        }
        return true;
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
        boolean worked = false;
        for (WorkerSlot worker : workers) {
            if (worker != null && worker.mayShutDown() && worker.reclaim()) {
                worker.channel().sendShutdown();
                worker.onShutdownSent();
                worked = true;
            }
        }
        return worked;
    }

    private void terminateNow(long now) {
        if (!handled.atLeast(Lifecycle.TERMINATING)) {
            handled = Lifecycle.TERMINATING;
            terminateNanos = now;
            endAllCalls(new PoolException("the pool was terminated"));
            for (WorkerSlot worker : workers) {
                if (worker != null && worker.isAlive()) {
                    worker.channel().kill("the pool was terminated");
                }
            }
        } else if ((now - terminateNanos) / 1_000_000 > EXIT_WAIT_AFTER_KILL_MS) {
            // SIGKILL always ends a process that exists; one still reported alive is beyond our reach.
            for (WorkerSlot worker : workers) {
                if (worker != null && worker.isAlive()) {
                    worker.onExited();
                    worker.channel().release();
                }
            }
        }
    }

    private void endAllCalls(PoolException failure) {
        drainIncoming(failure);
        dispatcher.endAll(failure);
        if (!started.isDone()) {
            started.completeExceptionally(failure);
        }
    }

    /** The loop cannot go on: fail all work, kill all workers. */
    private void failEverything(PoolException failure) {
        endAllCalls(failure);
        for (WorkerSlot worker : workers) {
            if (worker != null) {
                for (WorkerSlot.InFlight sent : worker.inFlight) {
                    sent.chunk().call().end(failure);
                }
                if (worker.isAlive()) {
                    worker.channel().kill(failure.getMessage());
                }
            }
        }
        advance(Lifecycle.BROKEN);
    }

    private void cleanUp() {
        drainIncoming(new PoolException("the pool was shut down"));
        long deadline = System.nanoTime() + EXIT_WAIT_AFTER_KILL_MS * 1_000_000;
        for (WorkerSlot worker : workers) {
            if (worker == null) {
                continue;
            }
            if (worker.isAlive()) {
                worker.channel().kill("the pool is closing");
                worker.channel().awaitWatcher(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                worker.onExited();
                factory.ended(worker, false);
                worker.channel().release();
            }
            worker.channel().awaitWatcher(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        factory.close();
    }
}
