package io.procpool.launcher.internal.core;

import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool sized by demand ({@link SlotSizing}) as the conductor runs it, over slots whose workers the test plays
 * ({@link FakeSlots}): no JVM is started, and time is a clock the test moves.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlotSizingTest {
    private static final long MS = 1_000_000;
    private static final Duration KEEP_ALIVE = Duration.ofMillis(300);

    private final FakeSlots slots = new FakeSlots();
    private final PoolCounters counters = new PoolCounters();
    private Conductor conductor;

    private void start(int min, int max) throws Exception {
        CoreSettings settings = new CoreSettings(max, 0, 0, null, Duration.ofSeconds(10), Duration.ofSeconds(60),
                IdleStrategy.Mode.BACKOFF, min, KEEP_ALIVE);
        conductor = new Conductor("sizing-test", settings, slots, counters, slots.now::get);
        conductor.start();
        for (int i = 0; i < min; i++) {
            slots.nextStarted().ready();
        }
        conductor.started().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private MapCall submit(int items) {
        MapCall call = MapCall.ofList(x -> x, IntStream.range(0, items).boxed().collect(Collectors.toList()), 1);
        conductor.submit(new ActiveCall(call, 1, new byte[]{1}));
        return call;
    }

    @AfterEach
    void stop() throws Exception {
        if (conductor != null) {
            conductor.requestTerminate();
            for (FakeSlots.Channel channel : slots.channels) {
                if (!channel.ended) {
                    channel.end(137);
                }
            }
            conductor.stopped().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldStartNoWorkerBeforeWorkGrowOneAtATimeUnderLoadAndShrinkToTheMinimumAfterKeepAlive() throws Exception {
        start(0, 2);
        assertEquals(0, slots.channels.size(), "minProcesses(0): no worker before the first call");

        MapCall call = submit(8);
        FakeSlots.Channel first = slots.nextStarted();
        assertEquals(1, slots.channels.size(), "one worker starting at a time");
        first.ready();
        FakeSlots.Sent sent = first.nextSent(); // the first runs chunks while the second starts
        FakeSlots.Channel second = slots.nextStarted();
        second.ready();
        List<FakeSlots.Channel> both = List.of(first, second);
        first.answer(sent.seq(), x -> x);
        int answered = 1;
        while (answered < 8) {
            for (FakeSlots.Channel channel : both) {
                FakeSlots.Sent next = channel.sent.poll();
                if (next != null) {
                    channel.answer(next.seq(), x -> x);
                    answered++;
                }
            }
            Thread.onSpinWait();
        }
        assertEquals(IntStream.range(0, 8).boxed().collect(Collectors.toList()),
                call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(2, slots.channels.size(), "never more than processes");

        // Idle past keepAlive: both are told to leave, and leaving so is neither a loss nor a reason to replace.
        awaitWhileMovingTheClock(() -> first.shutdowns.get() == 1 && second.shutdowns.get() == 1,
                "both idle workers are told to leave");
        first.end(0);
        second.end(0);
        MapCall next = submit(1);
        FakeSlots.Channel third = slots.nextStarted();
        assertEquals(3, slots.channels.size(), "the workers that left were not replaced: only demand starts one");
        third.ready();
        third.answer(third.nextSent().seq(), x -> x);
        assertEquals(List.of(0), next.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, counters.snapshot().workersLost(), "a worker that left for idleness is not lost");
        assertEquals(0, counters.snapshot().tasksFailed());
    }

    @Test
    void shouldKeepTheMinimumWhenIdleAndRunTheNextCallOnItAtOnce() throws Exception {
        start(1, 2);
        FakeSlots.Channel kept = slots.channels.get(0);
        MapCall call = submit(4);
        FakeSlots.Channel extra = slots.nextStarted();
        extra.ready();
        int answered = 0;
        while (answered < 4) {
            for (FakeSlots.Channel channel : List.of(kept, extra)) {
                FakeSlots.Sent sent = channel.sent.poll();
                if (sent != null) {
                    channel.answer(sent.seq(), x -> x);
                    answered++;
                }
            }
            Thread.onSpinWait();
        }
        call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        awaitWhileMovingTheClock(() -> kept.shutdowns.get() + extra.shutdowns.get() == 1, "one worker leaves");
        FakeSlots.Channel left = kept.shutdowns.get() == 1 ? kept : extra;
        FakeSlots.Channel stays = left == kept ? extra : kept;
        left.end(0);
        slots.now.addAndGet(10 * KEEP_ALIVE.toNanos());
        conductor.wake();
        MapCall next = submit(1);
        stays.answer(stays.nextSent().seq(), x -> x);
        assertEquals(List.of(0), next.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, stays.shutdowns.get(), "the minimum stays, however long idle");
        assertEquals(2, slots.channels.size(), "the call ran on the worker kept, starting none");
    }

    /** Moves the fake clock on in steps of 50 ms, waking the conductor, until {@code condition} holds. */
    private void awaitWhileMovingTheClock(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + FakeSlots.WAIT_SECONDS + " s: " + what);
            slots.now.addAndGet(50 * MS);
            conductor.wake();
            // Polls, with a bound, a condition that the conductor's thread makes true in its own time.
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
