package io.procpool.worker.internal.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle strategy's phases, on a clock the test moves. */
class IdleStrategyTest {
    private long now = 5_000_000_000L;

    private boolean waitOnceAt(IdleStrategy idle, long nanosAfterStart, long start) {
        now = start + nanosAfterStart;
        // The strategy looks at the clock every few spins: give it enough turns to see the new time.
        boolean sleep = false;
        for (int i = 0; i < 32; i++) {
            sleep = idle.spinOrYield();
        }
        return sleep;
    }

    @Test
    void shouldSpinThenYieldThenSayToSleepAtTheEndOfTheYieldingPhase() {
        IdleStrategy idle = new IdleStrategy(IdleStrategy.Mode.BACKOFF, IdleStrategy.SPIN_PHASE_NANOS, 300_000, 1_000_000_000L, () -> now);
        long start = now;
        assertFalse(waitOnceAt(idle, 0, start));
        assertFalse(waitOnceAt(idle, IdleStrategy.SPIN_PHASE_NANOS - 1, start));
        assertFalse(waitOnceAt(idle, IdleStrategy.SPIN_PHASE_NANOS + 1, start), "yielding");
        assertFalse(waitOnceAt(idle, 299_999, start), "still yielding");
        assertTrue(waitOnceAt(idle, 300_000, start), "past the yielding phase: sleep");
    }

    @Test
    void shouldStartAgainAfterReset() {
        IdleStrategy idle = new IdleStrategy(IdleStrategy.Mode.BACKOFF, IdleStrategy.SPIN_PHASE_NANOS, 300_000, 1_000_000_000L, () -> now);
        long start = now;
        assertFalse(waitOnceAt(idle, 0, start));
        assertTrue(waitOnceAt(idle, 400_000, start));
        idle.reset();
        assertFalse(waitOnceAt(idle, 0, now), "a new wait spins again");
    }

    @Test
    void shouldNeverSayToSleepWhenBusySpinning() {
        IdleStrategy idle = new IdleStrategy(IdleStrategy.Mode.BUSY_SPIN, IdleStrategy.SPIN_PHASE_NANOS, 300_000, 1_000_000_000L, () -> now);
        assertFalse(idle.sleeps());
        assertFalse(waitOnceAt(idle, 3_600_000_000_000L, now));
    }

    @Test
    void shouldParkNoShorterThanAParkCostsAndDoubleUpToAMillisecondWhileWorkIsExpected() {
        IdleStrategy idle = new IdleStrategy(IdleStrategy.Mode.BACKOFF, IdleStrategy.SPIN_PHASE_NANOS, 300_000, 1_000_000_000L, () -> now);
        long start = now;
        waitOnceAt(idle, 0, start);
        waitOnceAt(idle, 400_000, start);
        assertEquals(100_000, idle.nextParkNanos(true));
        assertEquals(200_000, idle.nextParkNanos(true));
        assertEquals(400_000, idle.nextParkNanos(true));
        assertEquals(800_000, idle.nextParkNanos(true));
        assertEquals(1_000_000, idle.nextParkNanos(true));
        assertEquals(1_000_000, idle.nextParkNanos(true));
    }

    @Test
    void shouldParkDeeplyOnlyLongAfterTheLastMessageAndWhenNoWorkIsExpected() {
        IdleStrategy idle = new IdleStrategy(IdleStrategy.Mode.BACKOFF, IdleStrategy.SPIN_PHASE_NANOS, 300_000, 250_000_000L, () -> now);
        long start = now;
        waitOnceAt(idle, 0, start);
        waitOnceAt(idle, 400_000, start);
        for (int i = 0; i < 10; i++) {
            idle.nextParkNanos(false);
        }
        now = start + 5_000_000;
        assertEquals(1_000_000, idle.nextParkNanos(false), "5 ms after the last message: not deep yet");
        now = start + 20_000_000;
        assertEquals(1_000_000, idle.nextParkNanos(true), "work expected: never deep");
        assertEquals(1_000_000, idle.nextParkNanos(false));
        assertEquals(2_000_000, idle.nextParkNanos(false), "deep: keeps doubling");
        for (int i = 0; i < 20; i++) {
            idle.nextParkNanos(false);
        }
        assertEquals(250_000_000L, idle.nextParkNanos(false), "capped at the deep-idle limit");
    }
}
