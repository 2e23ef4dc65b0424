package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.protocol.ResultDecoder;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * The pool's collector: reads what workers send (ready, results, retiring, a failed initializer), rebuilds the
 * results and hands each chunk's outcomes to its call, which restores item order where the call wants it. A
 * message it cannot read is that worker's fault: the worker is killed and replaced, the pool goes on. One per
 * thread that reads results: the loop thread's, and one with each {@link TasksProxy} a caller's thread borrows.
 */
final class Collector {
    private static final int MAX_MESSAGES_PER_TURN = 256;

    private final PoolCounters counters;
    private final java.util.function.Consumer<Chunk> onAnswered;
    private final Runnable onReady;
    private final ValueSerializer values;
    private final Input in = new Input();

    /**
     * @param values     the serializer of the thread that collects
     * @param onAnswered what to do when a chunk's results arrive, before its call hears of them
     * @param onReady    what to do when a worker reports ready
     */
    Collector(PoolCounters counters, ValueSerializer values, java.util.function.Consumer<Chunk> onAnswered,
              Runnable onReady) {
        this.counters = counters;
        this.onAnswered = onAnswered;
        this.onReady = onReady;
        this.values = values;
    }

    /** Reads what a worker sent, a bounded number of messages per turn so every worker gets its turn. */
    boolean collect(WorkerProcess worker) {
        WorkerChannel results = worker.channel();
        int read = 0;
        while (read < MAX_MESSAGES_PER_TURN && results.poll()) {
            read++;
            try {
                handleMessage(worker, results);
            } catch (RuntimeException e) {
                // A message this loop cannot read is that worker's fault, not the pool's: replace the worker.
                worker.kill("it sent a message the pool could not read: " + e);
                return true;
            }
        }
        return read > 0;
    }

    private void handleMessage(WorkerProcess worker, WorkerChannel results) {
        in.setBuffer(results.bytes(), 0, results.length());
        byte type = Protocol.readHeader(in);
        switch (type) {
            case Protocol.READY:
                worker.onReady(in.readVarLong(true));
                worker.startup.readStamps(in);
                onReady.run();
                break;
            case Protocol.INIT_FAILED:
                worker.initFailure = Failures.read(values, in);
                break;
            case Protocol.RESULT:
                counters.bytesFromWorkers.add(results.length());
                if (worker.startup.firstResultMicros == 0) {
                    worker.startup.firstResultMicros = Protocol.epochMicros();
                }
                onResult(worker);
                break;
            case Protocol.RETIRING:
                worker.onRetiring();
                break;
            case Protocol.BYE:
                break;
            default:
                throw new IllegalStateException("unknown message type " + type + " from " + worker);
        }
    }

    private void onResult(WorkerProcess worker) {
        long start = System.nanoTime();
        long seq = in.readVarLong(true);
        WorkerProcess.InFlight sent = worker.inFlight.poll();
        if (sent == null || sent.seq() != seq) {
            throw new IllegalStateException(worker + " answered chunk " + seq + " but chunk "
                    + (sent == null ? "none" : sent.seq()) + " was next");
        }
        Chunk chunk = sent.chunk();
        onAnswered.accept(chunk);
        int count = in.readVarInt(true);
        ResultDecoder.Outcomes outcomes = ResultDecoder.decode(values, in, chunk, count);
        counters.bytesFromWorkers.add(values.takeOutOfBandBytes());
        long now = System.nanoTime();
        counters.parentDeserializeNanos.add(now - start);
        counters.roundTripNanos.add(now - sent.sentNanos());
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
            worker.chunkNanosAverage = worker.chunkNanosAverage < 0 ? chunkNanos
                    : 0.8 * worker.chunkNanosAverage + 0.2 * chunkNanos;
        }
        chunk.call().complete(chunk, outcomes.values(), outcomes.failures());
    }

    /** Reads everything a worker that exited wrote before it died: it is complete and valid. */
    void drain(WorkerProcess worker) {
        WorkerChannel results = worker.channel();
        while (results.poll()) {
            try {
                handleMessage(worker, results);
            } catch (RuntimeException e) {
                return; // the rest is unreadable; the worker is gone already
            }
        }
    }
}
