package io.procpool.launcher.internal.core;

import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.ResultDecoder;

import java.util.function.Consumer;

/**
 * The pool's collector: acts on what slots report (ready, results, retiring, a failed initializer), as their
 * channels decode it, and hands each chunk's outcomes to its call, which restores item order where the call wants
 * it. A report that breaks the protocol is that worker's fault: the worker is killed and replaced, the pool goes on.
 * One per thread that reads reports: the conductor's, and one for each caller's thread that drives a slot itself.
 */
final class Collector implements SlotReports {
    private static final int MAX_MESSAGES_PER_TURN = 256;

    private final PoolCounters counters;
    private final Consumer<Chunk> onAnswered;
    private final Consumer<WorkerSlot> onReady;
    /** The slot being read, while {@link #collect} or {@link #drain} runs. */
    private WorkerSlot slot;
    private WorkerSlot.InFlight answering;

    /**
     * @param onAnswered what to do when a chunk's results arrive, before its call hears of them
     * @param onReady    what to do when a slot reports ready
     */
    Collector(PoolCounters counters, Consumer<Chunk> onAnswered, Consumer<WorkerSlot> onReady) {
        this.counters = counters;
        this.onAnswered = onAnswered;
        this.onReady = onReady;
    }

    /** Reads what a slot reported, a bounded number of reports per turn so every slot gets its turn. */
    boolean collect(WorkerSlot worker) {
        slot = worker;
        try {
            return worker.channel().poll(this, MAX_MESSAGES_PER_TURN) > 0;
        } catch (RuntimeException e) {
            // A report this side cannot read is that worker's fault, not the pool's: replace the worker.
            worker.channel().kill("it sent a message the pool could not read: " + e);
            return true;
        } finally {
            slot = null;
            answering = null;
        }
    }

    /** Reads everything a slot that ended reported before it did: it is complete and valid. */
    void drain(WorkerSlot worker) {
        slot = worker;
        try {
            worker.channel().drain(this);
        } catch (RuntimeException e) {
            // The rest is unreadable; the worker is gone already.
        } finally {
            slot = null;
            answering = null;
        }
    }

    @Override
    public void ready(long pid) {
        slot.onReady(pid);
        onReady.accept(slot);
    }

    @Override
    public void initFailed(Throwable failure) {
        slot.initFailure = failure;
    }

    @Override
    public Chunk answering(long seq) {
        WorkerSlot.InFlight sent = slot.channel().answersInOrder() ? nextInOrder(seq) : take(seq);
        answering = sent;
        onAnswered.accept(sent.chunk());
        return sent.chunk();
    }

    private WorkerSlot.InFlight nextInOrder(long seq) {
        WorkerSlot.InFlight sent = slot.inFlight.poll();
        if (sent == null || sent.seq() != seq) {
            throw new IllegalStateException(slot + " answered chunk " + seq + " but chunk "
                    + (sent == null ? "none" : sent.seq()) + " was next");
        }
        return sent;
    }

    private WorkerSlot.InFlight take(long seq) {
        for (java.util.Iterator<WorkerSlot.InFlight> it = slot.inFlight.iterator(); it.hasNext(); ) {
            WorkerSlot.InFlight sent = it.next();
            if (sent.seq() == seq) {
                it.remove();
                return sent;
            }
        }
        throw new IllegalStateException(slot + " answered chunk " + seq + ", which it does not hold");
    }

    @Override
    public void failed(io.procpool.PoolException failure) {
        WorkerSlot.InFlight sent = answering;
        answering = null;
        Chunk chunk = sent.chunk();
        counters.tasksCompleted.add(chunk.size());
        counters.tasksFailed.add(chunk.size());
        chunk.call().fail(chunk, failure);
    }

    @Override
    public void answered(ResultDecoder.Outcomes outcomes, long bytes, long decodeNanos) {
        WorkerSlot.InFlight sent = answering;
        answering = null;
        Chunk chunk = sent.chunk();
        int count = chunk.size();
        counters.bytesFromWorkers.add(bytes);
        counters.parentDeserializeNanos.add(decodeNanos);
        counters.roundTripNanos.add(System.nanoTime() - sent.sentNanos());
        // A chunk the worker skipped (its call was cancelled) reports all timings as 0 (see Protocol): nothing ran.
        boolean skipped = outcomes.timingsRead() && outcomes.deserializeNanos() == 0 && outcomes.executeNanos() == 0
                && outcomes.serializeNanos() == 0;
        if (!skipped) {
            counters.tasksCompleted.add(count);
            counters.tasksFailed.add(outcomes.failedCount());
            counters.chunksCompleted.increment();
        }
        if (outcomes.timingsRead() && !skipped) {
            counters.workerDeserializeNanos.add(outcomes.deserializeNanos());
            counters.workerExecuteNanos.add(outcomes.executeNanos());
            counters.workerSerializeNanos.add(outcomes.serializeNanos());
            long chunkNanos = outcomes.deserializeNanos() + outcomes.executeNanos() + outcomes.serializeNanos();
            chunk.call().chunkTimed(count, chunkNanos);
            slot.chunkNanosAverage = slot.chunkNanosAverage < 0 ? chunkNanos
                    : 0.8 * slot.chunkNanosAverage + 0.2 * chunkNanos;
        }
        chunk.call().complete(chunk, outcomes.values(), outcomes.failures());
    }

    @Override
    public void retiring() {
        slot.onRetiring();
    }
}
