package io.procpool.launcher.internal.core;

import io.procpool.TaskTimeoutException;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What becomes of the chunks a slot held when its worker ended: each is dropped (its call ended), sent again
 * elsewhere (it never started, or a retry is left), split around the item that overran its time limit, or failed with
 * the crash; the {@link Supervisor} judges, this carries the judgement out on the calls and the {@link Scheduler}.
 *
 * <p>Owner: a part of the {@link Conductor}, on its thread alone; apart only to keep each role readable.
 */
final class HeldChunks {
    private final Scheduler dispatcher;
    private final Supervisor supervisor;
    private final PoolCounters counters;
    private final Duration taskTimeout;

    /**
     * @param dispatcher  takes the chunks to send again
     * @param supervisor  judges each chunk's fate
     * @param counters    counts the items failed
     * @param taskTimeout the pool's task time limit, for the message of an item that overran it
     */
    HeldChunks(Scheduler dispatcher, Supervisor supervisor, PoolCounters counters, Duration taskTimeout) {
        this.dispatcher = dispatcher;
        this.supervisor = supervisor;
        this.counters = counters;
        this.taskTimeout = taskTimeout;
    }

    /**
     * Settles every chunk {@code worker} held when it ended, latest first (so that chunks sent again keep their
     * order at the head of the queue), and empties its list.
     *
     * @param worker   the slot whose worker ended
     * @param exit     how it ended
     * @param expected whether the end was asked for (a shutdown or a retirement): nothing it held had started
     */
    void settle(WorkerSlot worker, SlotEnd exit, boolean expected) {
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
    }

    /** Fails the item that overran its time limit, and sends the chunk's other items again, around it. */
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
                taskTimeout.toMillis(), worker.pid()), taskTimeout));
    }
}
