package io.procpool;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PoolStats#toString()} reads correctly at a glance: finished tasks, of which failed, and means per task. */
class PoolStatsTest {
    private static PoolStats eightFinishedFourFailed() {
        // 8 tasks in 2 chunks run side by side: 4 ms of round trip summed over the chunks, 1.6 ms of it executing.
        return new PoolStats(8, 8, 4, 2, 800, 400, 80_000, 40_000, 16_000, 1_600_000, 24_000, 4_000_000, 2, 0, 0, 2);
    }

    @Test
    void shouldSayHowManyTasksFinishedAndHowManyOfThemFailed() {
        String text = eightFinishedFourFailed().toString();
        assertTrue(text.contains("8 finished (4 of them failed)"), text);
        assertFalse(text.contains("completed"), "no reading of 8 successes beside 4 failures: " + text);
    }

    @Test
    void shouldGiveTimesAsMeansPerFinishedTask() {
        String text = eightFinishedFourFailed().toString();
        assertTrue(text.contains("per finished task"), text);
        assertTrue(text.contains("execute 200.0 us"), "1.6 ms over 8 tasks: " + text);
        assertTrue(text.contains("serialise 10.0 us here + 3.0 us in the worker"), text);
        // round trip 4 ms - worker 1.64 ms = 2.36 ms of queueing and transport, 295 us a task.
        assertTrue(text.contains("queue+transport 295.0 us"), text);
    }

    @Test
    void shouldReadZeroBeforeAnyTaskFinished() {
        PoolStats none = new PoolStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0);
        assertTrue(none.toString().contains("execute 0.0 us"), none.toString());
        assertEquals(0, none.overheadNanosPerTask());
    }
}
