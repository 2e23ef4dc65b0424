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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker's deferred set-up ({@link IdleSettling}, {@link SlotChannel#settle()}) as the conductor runs it, over
 * workers the test plays ({@link FakeSlots}) and a clock it moves: given once a worker has had no work for a while,
 * never while it holds a chunk or keeps being sent work, and once per worker.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IdleSettlingTest {
    private static final long MS = 1_000_000;
    private static final long SETTLE_MS = IdleSettling.SETTLE_AFTER_NANOS / MS;

    private final FakeSlots slots = new FakeSlots();
    private Conductor conductor;

    private FakeSlots.Channel startOne() throws Exception {
        CoreSettings settings = new CoreSettings(1, 0, 0, null, Duration.ofSeconds(10), Duration.ofSeconds(60),
                IdleStrategy.Mode.BACKOFF, 1, Duration.ZERO);
        conductor = new Conductor("settling-test", settings, slots, new PoolCounters(), slots.now::get);
        conductor.start();
        FakeSlots.Channel worker = slots.nextStarted();
        worker.ready();
        conductor.started().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS);
        return worker;
    }

    private MapCall submit(int item) {
        MapCall call = MapCall.ofList(x -> x, List.of(item), 1);
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
    void shouldSettleAWorkerOnceAfterItHasHadNoWorkForAWhileNeverWhileItHoldsAChunk() throws Exception {
        FakeSlots.Channel worker = startOne();
        MapCall call = submit(7);
        FakeSlots.Sent sent = worker.nextSent();
        // A long chunk: far past the idle time, the worker still holds it.
        moveTheClock(10 * SETTLE_MS);
        assertEquals(0, worker.settles.get(), "a worker that holds a chunk is busy");
        worker.answer(sent.seq(), x -> x);
        assertEquals(List.of(7), call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
        awaitWhileMovingTheClock(() -> worker.settles.get() == 1, "the idle worker is settled");
        moveTheClock(10 * SETTLE_MS);
        assertEquals(1, worker.settles.get(), "once per worker");
        MapCall next = submit(8);
        worker.answer(worker.nextSent().seq(), x -> x);
        assertEquals(List.of(8), next.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS), "and it works on");
    }

    @Test
    void shouldAskAgainAtLaterSupervisionsUntilTheChannelSaysItIsDone() throws Exception {
        FakeSlots.Channel worker = startOne();
        worker.settlesUntilDone = 3; // a channel whose queues take a while to open: it must not block the loop
        awaitWhileMovingTheClock(() -> worker.settles.get() == 3, "asked until it is done");
        moveTheClock(10 * SETTLE_MS);
        assertEquals(3, worker.settles.get(), "and not after");
    }

    @Test
    void shouldNeverSettleAWorkerThatIsSentWorkMoreOftenThanTheIdleTime() throws Exception {
        FakeSlots.Channel worker = startOne();
        for (int i = 0; i < 20; i++) {
            MapCall call = submit(i);
            worker.answer(worker.nextSent().seq(), x -> x);
            assertEquals(List.of(i), call.future().get(FakeSlots.WAIT_SECONDS, TimeUnit.SECONDS));
            moveTheClock(SETTLE_MS / 2);
        }
        assertEquals(0, worker.settles.get(), "a call every half of the idle time keeps it busy: 20 calls");
    }

    /**
     * Moves the fake clock on by {@code millis} in steps of 10 ms, waking the conductor at each and waiting until it
     * has supervised at that time (it beats every live slot as it does), then once more, so that its look at the last
     * time is over.
     */
    private void moveTheClock(long millis) {
        for (long moved = 0; moved <= millis; moved += 10) {
            long target = slots.now.addAndGet(10 * MS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
            while (slots.channels.get(0).lastBeatNanos < target) {
                assertTrue(System.nanoTime() < deadline, "the conductor did not supervise");
                conductor.wake();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
    }

    private void awaitWhileMovingTheClock(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FakeSlots.WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + FakeSlots.WAIT_SECONDS + " s: " + what);
            moveTheClock(10);
        }
    }
}
