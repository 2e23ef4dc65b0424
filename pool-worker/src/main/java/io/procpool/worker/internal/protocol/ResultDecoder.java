package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.internal.Chunk;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * Reads the outcomes of a RESULT message: a value, the task's exception, or a serialisation failure per item, then
 * the worker's timings, as {@link ChunkCodec#writeOutcomes} wrote them. A result this JVM cannot rebuild fails that
 * item and, since the stream is unreadable after it, the items after it in the same chunk. Used by every pool whose
 * workers are other JVMs.
 */
public final class ResultDecoder {
    private ResultDecoder() {
    }

    /**
     * A chunk's outcomes.
     *
     * @param values           the results, by index in the chunk
     * @param failures         the failures, by index in the chunk, or {@code null} if none failed
     * @param failedCount      how many failed
     * @param timingsRead      whether the worker's timings could be read (not after an unreadable result)
     * @param deserializeNanos the worker's time rebuilding items
     * @param executeNanos     its time running them
     * @param serializeNanos   its time serialising outcomes
     */
    public record Outcomes(Object[] values, PoolException[] failures, int failedCount, boolean timingsRead,
                           long deserializeNanos, long executeNanos, long serializeNanos) {
    }

    /**
     * Reads a chunk's outcomes and timings.
     *
     * @param values the reading thread's serializer
     * @param in     at the outcomes
     * @param chunk  the chunk, for error messages
     * @param count  its number of items
     * @return the outcomes
     */
    public static Outcomes decode(ValueSerializer values, Input in, Chunk chunk, int count) {
        Object[] results = new Object[count];
        byte kind = in.readByte();
        if (kind != CompactValues.NONE) {
            CompactValues.read(in, kind, results, count);
            return new Outcomes(results, null, 0, true, in.readVarLong(true), in.readVarLong(true),
                    in.readVarLong(true));
        }
        PoolException[] failures = null;
        int failed = 0;
        for (int i = 0; i < count; i++) {
            PoolException failure;
            try {
                failure = readOne(values, in, results, i);
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                values.reset();
                SerializationException unreadable = KryoCodec.failure("could not deserialise the result of item "
                        + (chunk.firstIndex() + i) + " in the parent", null, e);
                if (failures == null) {
                    failures = new PoolException[count];
                }
                for (int j = i; j < count; j++) {
                    failures[j] = unreadable;
                }
                return new Outcomes(results, failures, failed + count - i, false, 0, 0, 0);
            }
            if (failure != null) {
                if (failures == null) {
                    failures = new PoolException[count];
                }
                failures[i] = failure;
                failed++;
            }
        }
        return new Outcomes(results, failures, failed, true, in.readVarLong(true), in.readVarLong(true),
                in.readVarLong(true));
    }

    private static PoolException readOne(ValueSerializer values, Input in, Object[] results, int i) {
        byte kind = in.readByte();
        switch (kind) {
            case Protocol.OK:
                results[i] = values.read(in);
                return null;
            case Protocol.TASK_FAILED:
                return new TaskFailedException(Failures.read(values, in));
            case Protocol.NOT_SERIALIZABLE:
                return new SerializationException(in.readString());
            case Protocol.NOT_DELIVERED:
                return new PoolException(in.readString());
            case Protocol.POOL_FAILED:
                Throwable failure = Failures.read(values, in);
                return failure instanceof PoolException ? (PoolException) failure
                        : new PoolException(failure.getMessage(), failure);
            default:
                throw new IllegalStateException("unknown outcome kind " + kind);
        }
    }
}
