package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.TaskTimeoutException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conductor's judgements end to end (losses, reruns, retries, timeouts, cancellation, shutdown, terminate, a
 * broken pool, lending a slot to a caller, giving back calls handed ahead) over slots whose workers the test plays ({@link FakeSlots}): no JVM is
 * started, and time is a clock the test moves.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConductorTest {
    private static final long MS = 1_000_000;

    private final FakeSlots slots = new FakeSlots();
    private final PoolCounters counters = new PoolCounters();
    private Conductor conductor;

    private Conductor start(int workers, int retries, Duration taskTimeout) {
        CoreSettings settings = new CoreSettings(workers, 0, retries, taskTimeout, Duration.ofSeconds(10),
                Duration.ofSeconds(60), IdleStrategy.Mode.BACKOFF);
        conductor = new Conductor("conductor-test", settings, slots, counters, slots.now::get);
        conductor.start();
        return conductor;
    }

    /** Starts a pool and has its workers report ready. */
    private Conductor startReady(int workers, int retries, Duration taskTimeout) throws Exception {
        start(workers, retries, taskTimeout);
        for (int i = 0; i < workers; i++) {
            slots.nextStarted().ready();
        }
        conductor.started().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        return conductor;
    }

    private MapCall submit(List<?> items, int chunksize) {
        MapCall call = MapCall.ofList(x -> x, items, chunksize);
        call.onCancel(conductor::cancelled);
        conductor.submit(new ActiveCall(call, 1, new byte[]{1}));
        return call;
    }

    private static Object await(MapCall call) throws Exception {
        return call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(MapCall call) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
        return e.getCause();
    }

    @AfterEach
    void stop() throws Exception {
        if (conductor != null) {
            conductor.requestTerminate();
            // A replacement the conductor started just before it saw the request can join the list after one pass:
            // the fake processes end as the kill asks until the conductor says it stopped.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
            do {
                for (FakeSlots.Channel channel : List.copyOf(slots.channels)) {
                    if (!channel.ended) {
                        channel.end(137);
                    }
                }
            } while (!waitStopped(10) && System.nanoTime() < deadline);
            conductor.stopped().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private boolean waitStopped(long millis) throws Exception {
        try {
            conductor.stopped().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Test
    void shouldLaunchEveryFirstWorkerBeforeAnySetUpThatCanWaitAndSetUpAReplacementAtOnce() throws Exception {
        startReady(3, 0, null);
        assertEquals(List.of("start 0", "start 1", "start 2", "after 0", "after 1", "after 2"), slots.calls,
                "no worker's launch waits for another's set-up");
        for (int i = 0; i < 3; i++) {
            slots.nextSetUp();
        }
        slots.channels.get(1).end(137);
        assertEquals(1, slots.nextSetUp());
        assertEquals(List.of("start 1", "after 1"), slots.calls.subList(6, slots.calls.size()),
                "a replacement is set up as soon as it is launched, before anything is sent to it");
    }

    @Test
    void shouldFailOnlyTheRunningChunkOfALostSlotAndRunItsUnstartedChunkElsewhereForFree() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel lost = slots.channels.get(0);
        MapCall running = submit(List.of(1), 1);
        MapCall queued = submit(List.of(2), 1);
        FakeSlots.Sent runningSent = lost.nextSent();
        lost.nextSent();
        lost.currentChunk = runningSent.seq(); // it received the first; the second never started
        lost.end(137);
        Throwable failure = failureOf(running);
        assertInstanceOf(WorkerCrashedException.class, failure);
        assertTrue(failure.getMessage().contains("worker 0 ended with 137 (attempt 1)"), failure.getMessage());
        FakeSlots.Channel replacement = slots.nextStarted();
        replacement.ready();
        FakeSlots.Sent again = replacement.nextSent();
        assertEquals(List.of(2), List.of(again.chunk().items()), "the chunk that never started runs elsewhere");
        replacement.answer(again.seq(), x -> x);
        assertEquals(List.of(2), await(queued), "with no retries allowed: a chunk that never started costs none");
        assertEquals(1, counters.snapshot().workersLost());
        assertEquals(2, counters.snapshot().workersStarted(), "a replacement was started and counted");
    }

    @Test
    void shouldRunALostSlotsRunningChunkAgainUnderRetries() throws Exception {
        startReady(1, 1, null);
        FakeSlots.Channel first = slots.channels.get(0);
        MapCall call = submit(List.of(7), 1);
        FakeSlots.Sent running = first.nextSent();
        first.currentChunk = running.seq();
        first.end(137);
        FakeSlots.Channel replacement = slots.nextStarted();
        replacement.ready();
        FakeSlots.Sent again = replacement.nextSent();
        assertEquals(0, again.chunk().firstIndex());
        replacement.answer(again.seq(), x -> x);
        assertEquals(List.of(7), await(call));
    }

    @Test
    void shouldKillASlotWhoseItemRunsPastTheTaskTimeoutAndFailOnlyThatItem() throws Exception {
        startReady(1, 0, Duration.ofMillis(100));
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall call = submit(List.of(0, 1, 2), 3);
        FakeSlots.Sent sent = channel.nextSent();
        channel.currentChunk = sent.seq();
        channel.currentItem = 1;
        channel.itemStartedNanos = slots.now.get();
        slots.now.addAndGet(150 * MS);
        awaitTrue(() -> channel.killReason != null, "the slot is killed for its late item");
        assertTrue(channel.killReason.contains("task timeout"), channel.killReason);
        channel.end(137);
        Throwable failure = failureOf(call);
        assertInstanceOf(TaskTimeoutException.class, failure);
        assertTrue(failure.getMessage().contains("item 1 ran for 150 ms"), failure.getMessage());
    }

    @Test
    void shouldNameACancelledCallToItsSlotsAndKillTheOneRunningItWhenAskedTo() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall call = submit(List.of(0, 1), 1);
        FakeSlots.Sent running = channel.nextSent();
        channel.nextSent();
        channel.currentChunk = running.seq();
        assertTrue(call.cancel(true));
        assertTrue(channel.cancelledCalls.contains(call.id()), "queued chunks are skipped by the worker");
        awaitTrue(() -> channel.killReason != null, "the slot running the call is killed");
        channel.end(137);
        FakeSlots.Channel replacement = slots.nextStarted();
        replacement.ready();
        assertEquals(0, counters.snapshot().workersLost(), "a kill for a cancel is the pool's choice, not a loss");
    }

    @Test
    void shouldLetAQueuedChunkOfACancelledCallGoWithoutKillingAnything() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall other = submit(List.of(5), 1);
        FakeSlots.Sent otherSent = channel.nextSent();
        channel.currentChunk = otherSent.seq();
        MapCall cancelled = submit(List.of(6), 1);
        channel.nextSent();
        assertTrue(cancelled.cancel(true));
        assertTrue(channel.cancelledCalls.contains(cancelled.id()));
        channel.answer(otherSent.seq(), x -> x);
        assertEquals(List.of(5), await(other));
        assertNull(channel.killReason, "the running chunk belongs to another call");
    }

    @Test
    void shouldShutDownOnceTheWorkIsDoneAndStopWhenTheWorkersHaveLeft() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall call = submit(List.of(1), 1);
        FakeSlots.Sent sent = channel.nextSent();
        conductor.requestShutdown();
        assertThrows(IllegalStateException.class, () -> submit(List.of(2), 1), "no new work after shutdown");
        assertEquals(0, channel.shutdowns.get(), "not told to leave while it holds work");
        channel.answer(sent.seq(), x -> x);
        assertEquals(List.of(1), await(call));
        awaitTrue(() -> channel.shutdowns.get() == 1, "the worker is told to leave once its work is done");
        channel.end(0);
        conductor.stopped().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, counters.snapshot().workersLost(), "leaving as asked is no loss");
        assertEquals(1, counters.snapshot().workersStarted(), "and needs no replacement");
        conductor = null;
    }

    @Test
    void shouldFailUnfinishedWorkAndKillEveryWorkerOnTerminate() throws Exception {
        startReady(2, 0, null);
        MapCall call = submit(List.of(1, 2, 3, 4), 1);
        slots.channels.get(0).nextSent();
        conductor.requestTerminate();
        Throwable failure = failureOf(call);
        assertTrue(failure.getMessage().contains("terminated"), failure.getMessage());
        for (FakeSlots.Channel channel : slots.channels) {
            awaitTrue(() -> channel.killReason != null, "every worker is killed");
        }
    }

    @Test
    void shouldBreakThePoolWhenReplacementsKeepFailingToStart() throws Exception {
        startReady(1, 0, null);
        slots.startsToFail = Integer.MAX_VALUE;
        slots.channels.get(0).end(1); // its replacements all fail: 3 in a row break a pool of 1
        awaitTrue(() -> conductor.broken() != null, "the pool breaks instead of restarting workers for ever");
        assertTrue(conductor.broken().getMessage().contains("3 workers in a row failed to start"),
                conductor.broken().getMessage());
        assertEquals(4, slots.channels.size(), "the first worker and three failed replacements");
        MapCall call = MapCall.ofList(x -> x, List.of(1), 1);
        PoolException refused = assertThrows(PoolException.class,
                () -> conductor.submit(new ActiveCall(call, 1, new byte[]{1})), "later calls fail at once");
        assertTrue(refused.getMessage().contains("the pool is broken"), refused.getMessage());
    }

    @Test
    void shouldLendAnIdleSlotToACallerThatRunsItsCallItself() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        DirectPath direct = new DirectPath(new CoreSettings(1, 0, 0, null, Duration.ofSeconds(10),
                Duration.ofSeconds(60), IdleStrategy.Mode.BACKOFF), counters);
        MapCall call = MapCall.ofOne(x -> x, 9);
        call.onCancel(conductor::cancelled);
        // The worker answers whatever it is sent, from a thread of its own, as a real worker would.
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            try {
                FakeSlots.Sent sent = channel.nextSent();
                channel.answer(sent.seq(), x -> x);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The conductor offers its idle slot once it has nothing else to do: on a loaded machine that may take its
        // thread a while to be scheduled, so try until the usual limit rather than for a fixed number of turns.
        boolean ran = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
        while (!ran && System.nanoTime() - deadline < 0) {
            ran = direct.tryRun(conductor, new ActiveCall(call, 1, new byte[]{1}));
            if (!ran) {
                Thread.onSpinWait();
            }
        }
        assertTrue(ran, "the idle slot was lent to this thread");
        assertEquals(9, await(call));
        worker.get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(1, direct.callsRun());
        MapCall next = submit(List.of(3), 1);
        FakeSlots.Sent sent = channel.nextSent();
        channel.answer(sent.seq(), x -> x);
        assertEquals(List.of(3), await(next), "the slot went back to the conductor's use");
    }

    @Test
    void shouldGiveBackACallHandedAheadToABusySlotAndStopTheRunningOne() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall running = MapCall.ofOne(x -> x, 1);
        MapCall handedAhead = MapCall.ofOne(x -> x, 2);
        for (MapCall call : List.of(running, handedAhead)) {
            call.onCancel(conductor::cancelled);
            conductor.submit(new ActiveCall(call, 1, new byte[]{1}));
        }
        FakeSlots.Sent runningSent = channel.nextSent();
        channel.nextSent();
        channel.currentChunk = runningSent.seq(); // the worker began the first; the second waits in its queue
        java.util.Set<MapCall> unstarted = conductor.cancelReportingUnstarted(List.of(running, handedAhead));
        assertEquals(java.util.Set.of(handedAhead), unstarted);
        assertTrue(channel.cancelledCalls.contains(handedAhead.id()), "named first, so that the worker skips it");
        assertTrue(handedAhead.future().isCancelled() && running.future().isCancelled());
        awaitTrue(() -> channel.killReason != null, "the slot running the other call is stopped");
    }

    @Test
    void shouldCountACallTheSlotHasReceivedAsStarted() throws Exception {
        startReady(1, 0, null);
        FakeSlots.Channel channel = slots.channels.get(0);
        MapCall call = submit(List.of(1), 1);
        FakeSlots.Sent sent = channel.nextSent();
        channel.currentChunk = sent.seq();
        assertEquals(java.util.Set.of(), conductor.cancelReportingUnstarted(List.of(call)));
        assertTrue(call.future().isCancelled());
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + FakeSlots.WAIT_SECONDS + " s: " + what);
            }
            // Polls, with a bound, a condition that the conductor's thread makes true in its own time.
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }
}
