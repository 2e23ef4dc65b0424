package io.procpool.launcher.internal.core;


import io.procpool.PoolException;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pool's scheduler: the calls in progress, the chunks to send again, and which slot gets which chunk. It hands
 * chunks to the least loaded slot with room, chunks to send again first, then the calls in turn, keeping each slot's
 * queue about {@value #TARGET_QUEUED_NANOS} ns deep (at least {@value #MIN_CHUNKS_IN_FLIGHT} chunks) so that a slow
 * worker does not hoard work; has a call's function sent to a slot before its first chunk there; and fails alone an
 * item, or a chunk, that cannot be sent. It knows chunks, never bytes: the slot's {@link SlotChannel} encodes. Used
 * by the conductor's thread only.
 */
final class Scheduler {
    /** A worker holds enough chunks to stay busy for about this long, and at least two. */
    private static final long TARGET_QUEUED_NANOS = 2_000_000;
    private static final int MIN_CHUNKS_IN_FLIGHT = 2;
    private static final int MAX_CHUNKS_IN_FLIGHT = 256;

    private final int maxTasksPerChild;
    private final PoolCounters counters;
    /** Chunk numbers, shared with the callers' threads that send chunks themselves: increasing per slot. */
    private final java.util.concurrent.atomic.AtomicLong chunkSeqs;
    private final List<ActiveCall> calls = new ArrayList<>();
    private final Map<Long, ActiveCall> callsById = new HashMap<>();
    /** Chunks to send again: never started on a worker that died, or cut from a chunk that could not all run. */
    private final ArrayDeque<Chunk> retry = new ArrayDeque<>();
    /** Chunks that were sent again after their worker died, with how many times. */
    private final IdentityHashMap<Chunk, Integer> attempts = new IdentityHashMap<>();
    private int roundRobin;
    private int firstLooked;

    Scheduler(int maxTasksPerChild, PoolCounters counters, java.util.concurrent.atomic.AtomicLong chunkSeqs) {
        this.maxTasksPerChild = maxTasksPerChild;
        this.counters = counters;
        this.chunkSeqs = chunkSeqs;
    }

    void add(ActiveCall call) {
        calls.add(call);
        callsById.put(call.call().id(), call);
    }

    List<ActiveCall> calls() {
        return calls;
    }

    /** {@return calls not finished, plus chunks waiting to be sent again} */
    int pending() {
        reapFinishedCalls();
        return calls.size() + retry.size();
    }

    boolean hasResends() {
        return !retry.isEmpty();
    }

    /** Sends {@code chunk} again, before anything new. */
    void resend(Chunk chunk) {
        retry.addFirst(chunk);
    }

    /** {@return how many times {@code chunk} was sent again after its worker died} */
    int attemptsOf(Chunk chunk) {
        return attempts.getOrDefault(chunk, 0);
    }

    void recordAttempt(Chunk chunk, int attempt) {
        attempts.put(chunk, attempt);
    }

    /** The chunk has its outcome: stop counting its attempts. */
    void forget(Chunk chunk) {
        if (!attempts.isEmpty()) {
            attempts.remove(chunk);
        }
    }

    /**
     * Drops the finished calls. The turn stays with the call it pointed at: each call dropped ahead of it moves it
     * back one place, so that a call is never passed over for the one after it (the view's tasks would otherwise
     * start out of submission order whenever a finished call ahead of them was dropped).
     */
    void reapFinishedCalls() {
        int kept = 0;
        int turn = roundRobin;
        for (int i = 0; i < calls.size(); i++) {
            ActiveCall call = calls.get(i);
            if (call.call().isFinished()) {
                callsById.remove(call.call().id());
                if (i < roundRobin) {
                    turn--;
                }
            } else {
                calls.set(kept++, call);
            }
        }
        calls.subList(kept, calls.size()).clear();
        roundRobin = turn;
    }

    /** {@return the next chunk to send: one to run again first, then the calls in turn} */
    private Chunk nextChunk() {
        Chunk again;
        while ((again = retry.poll()) != null) {
            if (!again.call().hasEnded()) {
                return again;
            }
            again.call().abandon(again);
        }
        int count = calls.size();
        for (int i = 0; i < count; i++) {
            int index = (roundRobin + i) % count;
            Chunk chunk = calls.get(index).call().nextChunk();
            if (chunk != null) {
                roundRobin = index + 1;
                return chunk;
            }
        }
        return null;
    }

    /**
     * Sends chunks while workers have room, each to the least loaded worker with room, looking from a rotating
     * start so that equally loaded workers share the work.
     *
     * @param mayGrow whether the pool may start a worker for a chunk no slot has room for: such a chunk is then
     *                read now and waits first among those to send again, which says that work waits
     *                ({@link #hasResends()})
     */
    boolean dispatch(WorkerSlot[] workers, boolean mayGrow) {
        boolean worked = false;
        while (hasWork()) {
            WorkerSlot worker = leastLoaded(workers);
            if (worker == null) {
                if (mayGrow && retry.isEmpty()) {
                    Chunk waiting = nextChunk();
                    if (waiting != null) {
                        retry.addFirst(waiting);
                    }
                }
                return worked;
            }
            Chunk chunk = nextChunk();
            if (chunk == null) {
                return worked;
            }
            send(worker, chunk);
            worked = true;
        }
        return worked;
    }

    private boolean hasWork() {
        return !retry.isEmpty() || !calls.isEmpty();
    }

    private WorkerSlot leastLoaded(WorkerSlot[] workers) {
        WorkerSlot best = null;
        int count = workers.length;
        for (int i = 0; i < count; i++) {
            WorkerSlot worker = workers[(firstLooked + i) % count];
            if (hasRoom(worker) && (best == null || worker.inFlight.size() < best.inFlight.size())) {
                best = worker;
            }
        }
        firstLooked = (firstLooked + 1) % count;
        return best;
    }

    private boolean hasRoom(WorkerSlot worker) {
        if (worker == null || !worker.takesChunks() || !worker.reclaim()) {
            return false;
        }
        if (maxTasksPerChild > 0 && worker.itemsSent >= maxTasksPerChild) {
            return false;
        }
        int fixed = worker.channel().maxChunksInFlight();
        if (fixed >= 0) {
            return worker.inFlight.size() < fixed;
        }
        int credit = worker.chunkNanosAverage < 0 ? MIN_CHUNKS_IN_FLIGHT
                : (int) Math.min(MAX_CHUNKS_IN_FLIGHT,
                Math.max(MIN_CHUNKS_IN_FLIGHT, TARGET_QUEUED_NANOS / Math.max(1.0, worker.chunkNanosAverage)));
        return worker.inFlight.size() < credit;
    }

    private void send(WorkerSlot worker, Chunk chunk) {
        ActiveCall call = callsById.get(chunk.call().id());
        try {
            int bad = send(worker, call, chunk, chunkSeqs.getAndIncrement(), counters);
            if (bad >= 0) {
                rejectItem(worker, chunk, bad);
            }
        } catch (PoolException e) {
            // No room for this chunk or its function (a full file system): it fails alone, the pool goes on.
            failUnsent(chunk, e);
        }
    }

    /**
     * Sends a chunk to a slot, and the call's function first if the slot does not hold it, and records the chunk
     * as in flight: by the thread that holds the slot, the conductor's or a caller's.
     *
     * @return -1 when sent; otherwise the index within the chunk of the item that could not be serialised (nothing
     * was sent; the slot's channel says why)
     * @throws PoolException if the transport has no room for it (a full file system)
     */
    static int send(WorkerSlot slot, ActiveCall call, Chunk chunk, long seq, PoolCounters counters) {
        SlotChannel channel = slot.channel();
        channel.wakeAhead();
        long start = System.nanoTime(); // after the wake-up's system call, which is not serialising
        boolean withFunction = !slot.hasFunction(call.functionId());
        int unwritten = channel.prepare(call, chunk, seq, withFunction);
        if (unwritten >= 0) {
            return unwritten;
        }
        // In flight before it is visible to the worker, so that an end seen at any point finds it.
        long now = System.nanoTime();
        slot.inFlight.add(new WorkerSlot.InFlight(seq, chunk, now));
        try {
            channel.sendPrepared();
        } catch (RuntimeException e) {
            slot.inFlight.pollLast();
            throw e;
        }
        if (withFunction) {
            slot.addFunction(call.functionId());
        }
        slot.itemsSent += chunk.size();
        counters.parentSerializeNanos.add(now - start);
        counters.tasksSubmitted.add(chunk.size());
        return -1;
    }

    /** A chunk that never reached a worker fails as a whole, and is no longer counted for retries. */
    private void failUnsent(Chunk chunk, PoolException failure) {
        attempts.remove(chunk);
        failUnsent(chunk, failure, counters);
    }

    /** A chunk that never reached a worker fails as a whole; it counts as submitted and completed, failed. */
    static void failUnsent(Chunk chunk, PoolException failure, PoolCounters counters) {
        counters.tasksSubmitted.add(chunk.size());
        counters.tasksCompleted.add(chunk.size());
        counters.tasksFailed.add(chunk.size());
        chunk.call().fail(chunk, failure);
    }

    /** Item {@code i} of a chunk cannot be serialised: it fails alone; the items around it still run. */
    private void rejectItem(WorkerSlot worker, Chunk chunk, int i) {
        PoolException failure = worker.channel().itemFailure(chunk, i);
        Call call = chunk.call();
        Chunk bad = call.slice(chunk, i, i + 1);
        Chunk before = i > 0 ? call.slice(chunk, 0, i) : null;
        if (i + 1 < chunk.size()) {
            retry.addFirst(call.slice(chunk, i + 1, chunk.size()));
        }
        call.abandon(chunk);
        failUnsent(bad, failure);
        if (before != null) {
            send(worker, before);
        }
    }


    /** Ends every call with {@code failure} and drops what waited to be sent. */
    void endAll(PoolException failure) {
        for (ActiveCall call : calls) {
            call.call().end(failure);
        }
        calls.clear();
        callsById.clear();
        Chunk chunk;
        while ((chunk = retry.poll()) != null) {
            chunk.call().abandon(chunk);
        }
        attempts.clear();
    }
}
