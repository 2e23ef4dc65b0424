package io.procpool.launcher.internal.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor's judgements, on a clock the test moves: no JVM is started. */
class SupervisorTest {
    private static final long MS = 1_000_000;

    /** A worker as the supervisor sees it, every field set by the test. */
    private static final class FakeWorker implements Supervisor.Watched {
        boolean starting;
        boolean ready = true;
        boolean beingKilled;
        long launched;
        long heartbeat;
        long itemStarted;
        long chunk;
        long item;
        long skipped;
        boolean ended;

        @Override
        public boolean isStarting() {
            return starting;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public boolean isBeingKilled() {
            return beingKilled;
        }

        @Override
        public long launchedNanos() {
            return launched;
        }

        @Override
        public long workerHeartbeatNanos() {
            return heartbeat;
        }

        @Override
        public long itemStartedNanos() {
            return itemStarted;
        }

        @Override
        public long currentChunk() {
            return chunk;
        }

        @Override
        public long currentItem() {
            return item;
        }

        @Override
        public long skippedChunk() {
            return skipped;
        }

        @Override
        public boolean processEnded() {
            return ended;
        }
    }

    /** Chunks of one call each, as a worker holds them: the call ends as the test says. */
    private static WorkerSlot.InFlight sent(long seq, io.procpool.internal.MapCall call) {
        return new WorkerSlot.InFlight(seq, call.nextChunk(), 0);
    }

    private static io.procpool.internal.MapCall oneItemCall() {
        return io.procpool.internal.MapCall.ofOne(x -> x, 1);
    }

    private long now = 1_000 * MS;

    private Supervisor supervisor(Duration taskTimeout, int retries) {
        return new Supervisor(Duration.ofSeconds(10), taskTimeout, Duration.ofSeconds(60), retries, 2,
                () -> now);
    }

    @Test
    void shouldLeaveAHealthyWorkerAlone() {
        FakeWorker worker = new FakeWorker();
        worker.heartbeat = now - 200 * MS;
        worker.itemStarted = now - 5 * MS;
        assertNull(supervisor(Duration.ofMillis(100), 0).check(worker));
    }

    @Test
    void shouldKillTheWorkerOfAnItemPastTheTimeoutNamingTheItem() {
        FakeWorker worker = new FakeWorker();
        worker.heartbeat = now;
        worker.itemStarted = now - 150 * MS;
        worker.chunk = 7;
        worker.item = 42;
        Supervisor.Kill kill = supervisor(Duration.ofMillis(100), 0).check(worker);
        assertNotNull(kill);
        assertEquals("item 42 ran past the task timeout", kill.reason());
        assertEquals(new WorkerSlot.Timeout(7, 42, 150 * MS), kill.timeout());
    }

    @Test
    void shouldLeaveAWorkerWhoseProcessEndedDuringItsItemToItsExitNotCallItATimeout() {
        FakeWorker worker = new FakeWorker();
        worker.itemStarted = now - 150 * MS;
        worker.ended = true;
        assertNull(supervisor(Duration.ofMillis(100), 0).check(worker), "it crashed: its exit reports it");
        worker.ended = false;
        assertNotNull(supervisor(Duration.ofMillis(100), 0).check(worker), "alive and past its limit");
    }

    @Test
    void shouldNotTimeOutWithoutATaskTimeout() {
        FakeWorker worker = new FakeWorker();
        worker.heartbeat = now;
        worker.itemStarted = now - 3_600_000 * MS;
        assertNull(supervisor(null, 0).check(worker));
    }

    @Test
    void shouldKillAWorkerWhoseHeartbeatStoppedSayingHowStale() {
        FakeWorker worker = new FakeWorker();
        worker.heartbeat = now - 10_500 * MS;
        Supervisor.Kill kill = supervisor(null, 0).check(worker);
        assertNotNull(kill);
        assertEquals("its heartbeat stopped: the last beat was 10500 ms ago, past the limit of 10000 ms",
                kill.reason());
        assertNull(kill.timeout());
    }

    @Test
    void shouldNotJudgeAWorkerBeforeItsFirstHeartbeatByHeartbeat() {
        FakeWorker worker = new FakeWorker();
        worker.starting = true;
        worker.ready = false;
        worker.launched = now - 1_000 * MS;
        assertNull(supervisor(null, 0).check(worker));
    }

    @Test
    void shouldKillAWorkerThatDidNotStartInTime() {
        FakeWorker worker = new FakeWorker();
        worker.starting = true;
        worker.ready = false;
        worker.launched = now - 61_000 * MS;
        Supervisor.Kill kill = supervisor(null, 0).check(worker);
        assertNotNull(kill);
        assertEquals("it did not start within 60000 ms", kill.reason());
    }

    @Test
    void shouldNotKillTwice() {
        FakeWorker worker = new FakeWorker();
        worker.heartbeat = now - 60_000 * MS;
        worker.beingKilled = true;
        assertNull(supervisor(null, 0).check(worker));
    }

    @Test
    void shouldRunElsewhereAChunkThatNeverStarted() {
        Supervisor supervisor = supervisor(null, 0);
        assertEquals(Supervisor.Fate.RUN_ELSEWHERE, supervisor.fateOf(8, false, false, 7, null, 0));
    }

    @Test
    void shouldRunElsewhereWhatAWorkerThatExitedAsAskedHeld() {
        Supervisor supervisor = supervisor(null, 0);
        assertEquals(Supervisor.Fate.RUN_ELSEWHERE, supervisor.fateOf(7, false, true, 7, null, 0));
    }

    @Test
    void shouldFailTheRunningChunkOfADeadWorkerWithoutRetries() {
        Supervisor supervisor = supervisor(null, 0);
        assertEquals(Supervisor.Fate.FAIL_CRASHED, supervisor.fateOf(7, false, false, 7, null, 0));
        assertEquals(Supervisor.Fate.FAIL_CRASHED, supervisor.fateOf(6, false, false, 7, null, 0),
                "a chunk before the running one whose results died with the worker");
    }

    @Test
    void shouldRetryTheRunningChunkUpToTheRetriesThenFail() {
        Supervisor supervisor = supervisor(null, 2);
        assertEquals(Supervisor.Fate.RETRY, supervisor.fateOf(7, false, false, 7, null, 0));
        assertEquals(Supervisor.Fate.RETRY, supervisor.fateOf(7, false, false, 7, null, 1));
        assertEquals(Supervisor.Fate.FAIL_CRASHED, supervisor.fateOf(7, false, false, 7, null, 2));
    }

    @Test
    void shouldFailOnlyTheLateChunkAsTimedOutNeverRetryingIt() {
        Supervisor supervisor = supervisor(Duration.ofMillis(100), 3);
        WorkerSlot.Timeout timeout = new WorkerSlot.Timeout(7, 42, 150 * MS);
        assertEquals(Supervisor.Fate.FAIL_TIMED_OUT, supervisor.fateOf(7, false, false, 7, timeout, 0));
        assertEquals(Supervisor.Fate.RETRY, supervisor.fateOf(6, false, false, 7, timeout, 0));
    }

    @Test
    void shouldDropTheChunksOfACallThatEnded() {
        Supervisor supervisor = supervisor(null, 3);
        assertEquals(Supervisor.Fate.DROP, supervisor.fateOf(7, true, false, 7, null, 0));
    }

    @Test
    void shouldBreakThePoolAfterAtLeastThreeFailedStartsInARowAndResetOnAStart() {
        Supervisor supervisor = supervisor(null, 0); // 2 processes: max(3, 4) = 4 in a row
        assertFalse(supervisor.startFailed());
        assertFalse(supervisor.startFailed());
        assertFalse(supervisor.startFailed());
        supervisor.started();
        assertFalse(supervisor.startFailed());
        assertFalse(supervisor.startFailed());
        assertFalse(supervisor.startFailed());
        assertTrue(supervisor.startFailed());
        assertEquals(4, supervisor.consecutiveStartFailures());
    }

    @Test
    void shouldKillAWorkerRunningAChunkOfACallCancelledToStop() {
        FakeWorker worker = new FakeWorker();
        io.procpool.internal.MapCall cancelled = oneItemCall();
        io.procpool.internal.MapCall other = oneItemCall();
        List<WorkerSlot.InFlight> held = List.of(sent(4, cancelled), sent(5, other));
        worker.chunk = 4;
        assertNull(supervisor(null, 0).checkCancelled(worker, held), "nothing is cancelled yet");
        assertTrue(cancelled.cancel(true));
        Supervisor.Kill kill = supervisor(null, 0).checkCancelled(worker, held);
        assertNotNull(kill);
        assertEquals("it was running a chunk of a cancelled call", kill.reason());
    }

    @Test
    void shouldLeaveAWorkerAloneWhenTheCancelledChunkIsOnlyQueuedOrWasSkippedOrMayFinish() {
        FakeWorker worker = new FakeWorker();
        io.procpool.internal.MapCall running = oneItemCall();
        io.procpool.internal.MapCall queued = oneItemCall();
        List<WorkerSlot.InFlight> held = List.of(sent(4, running), sent(5, queued));
        worker.chunk = 4;
        assertTrue(queued.cancel(true));
        assertNull(supervisor(null, 0).checkCancelled(worker, held), "a queued chunk is skipped by the worker");

        worker.chunk = 5;
        worker.skipped = 5;
        assertNull(supervisor(null, 0).checkCancelled(worker, held), "the worker skipped it: nothing runs");

        io.procpool.internal.MapCall mayFinish = oneItemCall();
        List<WorkerSlot.InFlight> running6 = List.of(sent(6, mayFinish));
        worker.chunk = 6;
        assertTrue(mayFinish.cancel(false));
        assertNull(supervisor(null, 0).checkCancelled(worker, running6),
                "cancel(false) lets a running chunk finish");
    }
}
