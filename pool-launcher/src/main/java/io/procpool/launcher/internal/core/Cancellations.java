package io.procpool.launcher.internal.core;

import io.procpool.internal.Call;
import io.procpool.internal.MapCall;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Cancelled calls, as the slots see them: a cancelled call's chunks queued in a worker are named to it so that it
 * skips them, a running one is stopped by killing its worker when the call was cancelled with {@code cancel(true)},
 * and {@code shutdownNow()} learns which calls never started.
 *
 * <p>Owner: a part of the {@link Conductor}, apart only to keep each role readable. Cancelling threads hand their
 * requests over through a counter and a queue, and wait, bounded, for the conductor's thread to act; only that thread
 * touches the slots ({@link #act()}, {@link #stopCancelledChunks()}).
 */
final class Cancellations {
    /** The longest a cancelling thread waits for the conductor to tell the workers. */
    private static final long CANCEL_WAIT_NANOS = 1_000_000_000;

    private final SlotTable slots;
    private final Supervisor supervisor;
    private final Runnable wakeConductor;
    private final BooleanSupplier conductorStopped;
    /** Counted by threads that cancelled a call; the conductor records how many it has acted on. */
    private final AtomicLong requests = new AtomicLong();
    private volatile long handled;
    /** Calls to cancel, asking which never started; answered by the conductor's thread. */
    private final Queue<Withdrawal> withdrawals = new ConcurrentLinkedQueue<>();

    /** Calls to cancel, and the answer: those of them that never started. */
    private record Withdrawal(List<MapCall> calls, CompletableFuture<Set<MapCall>> unstarted) {
    }

    /**
     * @param slots            the pool's slots
     * @param supervisor       judges which running chunks to stop
     * @param wakeConductor    wakes the conductor's thread
     * @param conductorStopped whether the conductor's thread has ended: nobody would act on a request
     */
    Cancellations(SlotTable slots, Supervisor supervisor, Runnable wakeConductor, BooleanSupplier conductorStopped) {
        this.slots = slots;
        this.supervisor = supervisor;
        this.wakeConductor = wakeConductor;
        this.conductorStopped = conductorStopped;
    }

    /**
     * Any thread but the conductor's: a call was cancelled. Waits until the conductor has named it to the workers,
     * so that when {@code cancel()} or an iterator's {@code close()} returns, no chunk of the call that is queued in a
     * worker starts any more. Bounded: a conductor that is stopping or stuck must not hold the caller.
     */
    void requestStop() {
        long request = requests.incrementAndGet();
        wakeConductor.run();
        long deadline = System.nanoTime() + CANCEL_WAIT_NANOS;
        while (handled < request && !conductorStopped.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    /**
     * Any thread but the conductor's: {@link Conductor#cancelReportingUnstarted}. Waits at most
     * {@value #CANCEL_WAIT_NANOS} ns for the conductor, and then cancels every call as started.
     */
    Set<MapCall> requestWithdrawal(List<MapCall> calls) {
        Withdrawal withdrawal = new Withdrawal(calls, new CompletableFuture<>());
        withdrawals.add(withdrawal);
        wakeConductor.run();
        try {
            return withdrawal.unstarted().get(CANCEL_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            calls.forEach(call -> call.cancel(true)); // a conductor stopping or stuck: cancel them all as started
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            calls.forEach(call -> call.cancel(true));
            return Set.of();
        }
    }

    /**
     * The conductor's thread, each turn: answers the withdrawals asked and acts on new cancellations.
     *
     * @return whether there was anything to do
     */
    boolean act() {
        boolean worked = false;
        Withdrawal withdrawal;
        while ((withdrawal = withdrawals.poll()) != null) {
            withdrawal.unstarted().complete(withdraw(withdrawal.calls()));
            worked = true;
        }
        long asked = requests.get();
        if (asked != handled) {
            stopCancelledChunks();
            handled = asked;
        }
        return worked;
    }

    /**
     * The conductor's thread: cancels {@code calls} as {@code cancel(true)} does, and says which never started.
     *
     * @param calls the calls, in submission order
     * @return those that never started, now cancelled
     */
    Set<MapCall> withdraw(List<MapCall> calls) {
        Set<MapCall> unstarted = Collections.newSetFromMap(new IdentityHashMap<>());
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
        for (WorkerSlot worker : slots.all()) {
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

    /**
     * The conductor's thread: has each worker skip the chunks of cancelled calls queued in it, and kills the workers
     * running chunks of calls cancelled with {@code cancel(true)}; called when a call is cancelled and on every
     * supervision.
     */
    void stopCancelledChunks() {
        for (WorkerSlot worker : slots.all()) {
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
}
