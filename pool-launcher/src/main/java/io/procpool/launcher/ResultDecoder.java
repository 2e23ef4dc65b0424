package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.internal.Chunk;
import io.procpool.worker.CompactValues;
import io.procpool.worker.Failures;
import io.procpool.worker.KryoCodec;
import io.procpool.worker.Protocol;
import io.procpool.worker.ValueSerializer;

/**
 * Reads the outcomes of a RESULT message: a value, the task's exception, or a serialisation failure per item, then
 * the worker's timings. A result this JVM cannot rebuild fails that item and, since the stream is unreadable after
 * it, the items after it in the same chunk.
 */
final class ResultDecoder {
    private ResultDecoder() {
    }

    record Outcomes(Object[] values, PoolException[] failures, int failedCount, boolean timingsRead,
                    long deserializeNanos, long executeNanos, long serializeNanos) {
    }

    static Outcomes decode(ValueSerializer values, Input in, Chunk chunk, int count) {
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
            default:
                throw new IllegalStateException("unknown outcome kind " + kind);
        }
    }
}
