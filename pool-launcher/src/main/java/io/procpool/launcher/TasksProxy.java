package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Output;
import io.procpool.PoolException;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.transport.BufferRetention;

/**
 * Encodes what the parent sends a worker (a call's function before its first chunk there, chunks, shutdown) and
 * appends it to the worker's tasks queue. One per thread that sends: the pool's loop thread has one, and each
 * caller thread that runs a call itself borrows one (see {@link DirectPath}); it holds that thread's serializer.
 */
final class TasksProxy {
    private static final int INITIAL_OUTPUT_BYTES = 8192;

    private final ValueSerializer values;
    private final PoolCounters counters;
    private final Output out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
    private final BufferRetention retention = new BufferRetention();
    private Throwable itemFailure;

    TasksProxy(ValueSerializer values, PoolCounters counters) {
        this.values = values;
        this.counters = counters;
    }

    /** {@return this proxy's serializer, for reading the answers on the same thread} */
    ValueSerializer values() {
        return values;
    }

    /**
     * Sends a chunk, and the call's function first if the worker does not hold it, and records it as in flight.
     *
     * @return -1 when sent; otherwise the index within the chunk of the item that could not be serialised (nothing
     * was sent; {@link #itemFailure()} says why)
     * @throws PoolException if the queue has no room (a full file system)
     */
    int sendChunk(WorkerProcess worker, ActiveCall call, Chunk chunk, long seq) {
        worker.wakeAhead();
        long start = System.nanoTime(); // after the wake-up's system call, which is not serialising
        try {
            if (!worker.hasFunction(call.functionId())) {
                out.reset();
                Protocol.writeHeader(out, Protocol.FUNCTION);
                out.writeVarLong(call.functionId(), true);
                out.writeVarInt(call.functionBytes().length, true);
                out.writeBytes(call.functionBytes());
                worker.send(out.getBuffer(), out.position());
                worker.addFunction(call.functionId());
                counters.bytesToWorkers.add(out.position());
            }
            out.reset();
            Protocol.writeHeader(out, Protocol.CHUNK);
            out.writeVarLong(seq, true);
            out.writeVarLong(chunk.call().id(), true);
            out.writeVarLong(call.functionId(), true);
            out.writeVarLong(chunk.firstIndex(), true);
            out.writeVarInt(chunk.size(), true);
            int unwritten = ChunkCodec.writeItems(values, out, chunk.items());
            if (unwritten >= 0) {
                // Arrays the chunk wrote to files stay there until the pool's directory goes, at close.
                values.takeOutOfBandBytes();
                itemFailure = ChunkCodec.takeItemFailure();
                return unwritten;
            }
            // In flight before it is visible to the worker, so that an exit seen at any point finds it.
            long now = System.nanoTime();
            worker.inFlight.add(new WorkerProcess.InFlight(seq, chunk, now));
            try {
                worker.send(out.getBuffer(), out.position());
            } catch (RuntimeException e) {
                worker.inFlight.pollLast();
                throw e;
            }
            worker.itemsSent += chunk.size();
            counters.bytesToWorkers.add(out.position() + values.takeOutOfBandBytes());
            counters.parentSerializeNanos.add(now - start);
            counters.tasksSubmitted.add(chunk.size());
            return -1;
        } finally {
            shrinkOutput();
        }
    }

    /**
     * @param index the index within {@code chunk} that {@link #sendChunk} returned
     * @return the error for that item: which item, of which class, and why it could not be serialised
     */
    io.procpool.SerializationException itemFailure(Chunk chunk, int index) {
        return KryoCodec.failure("could not serialise item " + (chunk.firstIndex() + index), chunk.items()[index],
                itemFailure);
    }

    /** A chunk that never reached a worker fails as a whole; it counts as submitted and completed, failed. */
    void failUnsent(Chunk chunk, PoolException failure) {
        counters.tasksSubmitted.add(chunk.size());
        counters.tasksCompleted.add(chunk.size());
        counters.tasksFailed.add(chunk.size());
        chunk.call().fail(chunk, failure);
    }

    /** Tells a worker to finish and exit. */
    void sendShutdown(WorkerProcess worker) {
        out.reset();
        Protocol.writeHeader(out, Protocol.SHUTDOWN);
        worker.send(out.getBuffer(), out.position());
    }

    private void shrinkOutput() {
        if (retention.shrink(out.getBuffer().length, out.position())) {
            out.setBuffer(new byte[INITIAL_OUTPUT_BYTES], -1);
        }
    }
}
