package io.procpool.launcher.internal.core;

import io.procpool.worker.internal.runtime.NanoClock;

import java.time.Duration;

/**
 * The supervisor's judgements, kept apart from the loop that acts on them: when a worker must be killed (its
 * heartbeat stopped, an item ran past the task timeout, it did not start in time), what becomes of each chunk a
 * worker held when it exited, and when failed starts break the pool. Logic only, on an injected clock: unit tests
 * drive it in microseconds, without a JVM.
 */
final class Supervisor {
    /** What the supervisor sees of a worker: its life so far and its status descriptor. */
    interface Watched {
        /** {@return whether it has not reported ready yet} */
        boolean isStarting();

        /** {@return whether it runs chunks} */
        boolean isReady();

        /** {@return whether the pool already decided to kill it} */
        boolean isBeingKilled();

        /** {@return when it was launched} */
        long launchedNanos();

        /** {@return its last heartbeat, or 0 before the first} */
        long workerHeartbeatNanos();

        /** {@return when its running item started, or 0 when none runs or items are not tracked} */
        long itemStartedNanos();

        /** {@return the chunk it received last} */
        long currentChunk();

        /** {@return the index of the item it started last} */
        long currentItem();

        /** {@return the chunk it skipped last, its call having been cancelled; 0 before the first} */
        long skippedChunk();

        /** {@return whether its process has ended already, its exit not yet handled} */
        boolean processEnded();
    }

    /** A worker to kill, and why; {@code timeout} is set when an item ran past the task timeout. */
    record Kill(String reason, WorkerSlot.Timeout timeout) {
    }

    /** What becomes of a chunk that a worker held when it exited. */
    enum Fate {
        /** It had not started: it runs on another worker, which costs no attempt. */
        RUN_ELSEWHERE,
        /** It was running when the worker died, and has attempts left: it runs again. */
        RETRY,
        /** It was running when the worker died, with no attempts left: its items fail with the crash report. */
        FAIL_CRASHED,
        /** It held the item that ran past the timeout: that item fails, the others run again. */
        FAIL_TIMED_OUT,
        /** Its call has ended already (failed, cancelled): nothing is owed to anyone. */
        DROP
    }

    private final long heartbeatTimeoutNanos;
    private final long taskTimeoutNanos;
    private final long startTimeoutNanos;
    private final int retries;
    private final int maxConsecutiveStartFailures;
    private final NanoClock clock;
    private int consecutiveStartFailures;

    /**
     * @param taskTimeout the longest an item may run, or {@code null} for no limit
     * @param processes   the pool's size: so many failed starts in a row (at least three) break the pool
     */
    Supervisor(Duration heartbeatTimeout, Duration taskTimeout, Duration startTimeout, int retries, int processes,
               NanoClock clock) {
        this.heartbeatTimeoutNanos = heartbeatTimeout.toNanos();
        this.taskTimeoutNanos = taskTimeout == null ? -1 : taskTimeout.toNanos();
        this.startTimeoutNanos = startTimeout.toNanos();
        this.retries = retries;
        this.maxConsecutiveStartFailures = Math.max(3, 2 * processes);
        this.clock = clock;
    }

    /** {@return now, on the supervisor's clock} */
    long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * {@return whether and why to kill the worker now, or {@code null} if it is healthy (or being killed already)}
     */
    Kill check(Watched worker) {
        if (worker.isBeingKilled()) {
            return null;
        }
        long now = clock.nanoTime();
        if (worker.isReady() && taskTimeoutNanos > 0) {
            Kill late = checkTimeout(worker, now);
            if (late != null) {
                return late;
            }
        }
        long beat = worker.workerHeartbeatNanos();
        if (beat != 0 && now - beat > heartbeatTimeoutNanos) {
            // Its heartbeat comes from a thread of its own: it is frozen or stuck as a whole, not merely busy.
            return new Kill("its heartbeat stopped: the last beat was " + (now - beat) / 1_000_000
                    + " ms ago, past the limit of " + heartbeatTimeoutNanos / 1_000_000 + " ms", null);
        }
        if (worker.isStarting() && now - worker.launchedNanos() > startTimeoutNanos) {
            return new Kill("it did not start within " + startTimeoutNanos / 1_000_000 + " ms", null);
        }
        return null;
    }

    private Kill checkTimeout(Watched worker, long now) {
        long itemStarted = worker.itemStartedNanos();
        if (itemStarted == 0 || now - itemStarted <= taskTimeoutNanos) {
            return null;
        }
        long seq = worker.currentChunk();
        long index = worker.currentItem();
        if (worker.itemStartedNanos() != itemStarted) {
            return null; // it moved on while we looked
        }
        if (worker.processEnded()) {
            // It died running the item (a halt, a crash) and its exit is on its way: a loaded machine can take
            // longer than the timeout to report it. Its end says it crashed; a timeout would say it overran.
            return null;
        }
        return new Kill("item " + index + " ran past the task timeout",
                new WorkerSlot.Timeout(seq, index, now - itemStarted));
    }

    /**
     * A worker runs a chunk whose call was cancelled with {@code cancel(true)}: a task cannot be stopped inside a JVM
     * from outside, so the worker is killed (and replaced). Only the chunk it is running counts: one merely queued
     * in it is skipped when the worker reaches it (the pool names the call in the worker's status descriptor), or,
     * if the worker is killed for another reason first, dropped when its fate is decided.
     *
     * @param worker the worker
     * @param held   the chunks it was sent and has not answered, oldest first
     * @return why to kill it, or {@code null}
     */
    Kill checkCancelled(Watched worker, Iterable<WorkerSlot.InFlight> held) {
        if (worker.isBeingKilled()) {
            return null;
        }
        long running = worker.currentChunk();
        for (WorkerSlot.InFlight sent : held) {
            if (sent.seq() == running) {
                boolean stop = sent.chunk().call().stopsRunning() && worker.skippedChunk() != running;
                return stop ? new Kill("it was running a chunk of a cancelled call", null) : null;
            }
        }
        return null;
    }

    /**
     * @param seq           the chunk's number
     * @param callEnded     whether its call has ended
     * @param expectedExit  whether the worker exited as asked (shut down, retired), not died
     * @param runningSeq    the chunk the worker received last, chunks after it never started; or
     *                      {@link SlotChannel#UNKNOWN}, and every chunk may have
     * @param timeout       why the pool killed the worker, if for a late item
     * @param attemptsSoFar how many times the chunk was run again already
     * @return what becomes of the chunk
     */
    Fate fateOf(long seq, boolean callEnded, boolean expectedExit, long runningSeq, WorkerSlot.Timeout timeout,
                int attemptsSoFar) {
        if (callEnded) {
            return Fate.DROP;
        }
        // A transport that cannot say what its worker ran ({@link SlotChannel#UNKNOWN}) leaves every held chunk as
        // started: it may have run, so it spends an attempt.
        if (expectedExit || runningSeq != SlotChannel.UNKNOWN && seq > runningSeq) {
            return Fate.RUN_ELSEWHERE;
        }
        if (timeout != null && timeout.seq() == seq) {
            return Fate.FAIL_TIMED_OUT;
        }
        return attemptsSoFar < retries ? Fate.RETRY : Fate.FAIL_CRASHED;
    }

    /** A worker reported ready: the run of failed starts is over. */
    void started() {
        consecutiveStartFailures = 0;
    }

    /** {@return whether this failed start, with those before it in a row, breaks the pool} */
    boolean startFailed() {
        return ++consecutiveStartFailures >= maxConsecutiveStartFailures;
    }

    /** {@return how many starts failed in a row} */
    int consecutiveStartFailures() {
        return consecutiveStartFailures;
    }
}
