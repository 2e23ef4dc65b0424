package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.PoolException;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * The bytes of a chunk, in the layout {@link Protocol} gives for a CHUNK's items and a RESULT's outcomes:
 * {@code (compact values | NONE value x count)} each way, an outcome kind before each value that goes back, and the
 * worker's timings at the end. The parent writes items with {@link #writeItems}; whoever runs the chunk (a worker
 * JVM, a cluster member) reads them with {@link #readItems} and writes their outcomes with {@link #writeOutcomes};
 * {@link ResultDecoder} reads the outcomes back. What fails to cross becomes that item's outcome, never an
 * exception: an item that cannot be rebuilt, a result or an exception that cannot be written.
 */
public final class ChunkCodec {
    /** Why the last {@link #writeItems} on this thread failed: kept beside its index, not thrown. */
    private static final ThreadLocal<Throwable> lastItemFailure = new ThreadLocal<>();

    private ChunkCodec() {
    }

    /** An item's failure that is not the task's but the pool's that ran it, as {@link Protocol#POOL_FAILED} says. */
    public static final class PoolFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * Wraps the pool's exception.
         *
         * @param failure the exception that pool failed the item with
         */
        public PoolFailed(PoolException failure) {
            super(failure);
        }
    }

    /**
     * A chunk's items as {@link #readItems} rebuilt them.
     *
     * @param values   the items, by index in the chunk; those from {@code readable} on are {@code null}
     * @param readable how many were rebuilt, from the first: the stream is unreadable after one that was not
     * @param failure  why item {@code readable} could not be rebuilt, or {@code null} if all were
     */
    public record Items(Object[] values, int readable, String failure) {
        /** {@return the chunk's number of items} */
        public int count() {
            return values.length;
        }
    }

    /**
     * Writes a chunk's items as {@code (compact items | NONE item:object x count)}.
     *
     * @param values the writing thread's serializer
     * @param out    where to write
     * @param items  the items
     * @return -1 if all were written; otherwise the index of the item that could not be, after which {@code out}
     * holds a partial chunk, and {@code values} has been reset
     * @throws RuntimeException never for an item: its failure is the returned index
     */
    public static int writeItems(ValueSerializer values, Output out, Object[] items) {
        byte kind = CompactValues.kindOf(items, items.length);
        if (kind != CompactValues.NONE) {
            CompactValues.write(out, kind, items, items.length);
            return -1;
        }
        out.writeByte(CompactValues.NONE);
        for (int i = 0; i < items.length; i++) {
            try {
                values.write(out, items[i]);
            } catch (RuntimeException | StackOverflowError e) {
                values.reset();
                lastItemFailure.set(e);
                return i;
            }
        }
        return -1;
    }

    /**
     * Returns why the last {@link #writeItems} on this thread could not write an item, and forgets it.
     *
     * @return the serializer's exception, or {@code null}
     */
    public static Throwable takeItemFailure() {
        Throwable failure = lastItemFailure.get();
        lastItemFailure.remove();
        return failure;
    }

    /**
     * Rebuilds the items {@link #writeItems} wrote, as many as can be.
     *
     * @param values     the reading thread's serializer
     * @param in         at the chunk's items
     * @param firstIndex the index in its call of the chunk's first item, for error messages
     * @param count      the chunk's number of items
     * @return the items, and why the first that could not be rebuilt could not
     */
    public static Items readItems(ValueSerializer values, Input in, long firstIndex, int count) {
        byte kind = in.readByte();
        Object[] items = new Object[count];
        int readable = 0;
        String failure = null;
        try {
            if (kind != CompactValues.NONE) {
                CompactValues.read(in, kind, items, count);
                readable = count;
            }
            for (; readable < count; readable++) {
                items[readable] = values.read(in);
            }
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            values.reset();
            failure = KryoCodec.failure("could not deserialise item " + (firstIndex + readable) + " in the worker",
                    null, e).getMessage();
        }
        return new Items(items, readable, failure);
    }

    /**
     * Writes the outcome of each of a chunk's items: compact values where every item gave one of a common class;
     * otherwise per item, its value, its failure, or why it did not run. The timings follow (see
     * {@link #writeTimings}).
     *
     * @param values          the writing thread's serializer
     * @param out             where the outcomes go, after whatever the caller wrote before them
     * @param firstIndex      the index in its call of the chunk's first item, for error messages
     * @param items           the items as {@link #readItems} rebuilt them; those past {@code readable} did not run
     * @param functionFailure why no item ran (the function could not be rebuilt, or the worker does not have it),
     *                        or {@code null} if the function ran on the readable items
     * @param results         the results, by index in the chunk
     * @param failures        the failures, by index in the chunk: the task's exception or a {@link PoolFailed}
     */
    public static void writeOutcomes(ValueSerializer values, Output out, long firstIndex, Items items,
                                     String functionFailure, Object[] results, Throwable[] failures) {
        int count = items.count();
        boolean allOk = functionFailure == null && items.readable() == count;
        for (int i = 0; i < count && allOk; i++) {
            allOk = failures[i] == null;
        }
        byte kind = allOk ? CompactValues.kindOf(results, count) : CompactValues.NONE;
        if (kind != CompactValues.NONE) {
            CompactValues.write(out, kind, results, count);
            return;
        }
        out.writeByte(CompactValues.NONE);
        for (int i = 0; i < count; i++) {
            if (functionFailure != null) {
                writeNotSerializable(out, functionFailure);
            } else if (i >= items.readable()) {
                writeNotSerializable(out, items.failure());
            } else if (failures[i] != null) {
                writeFailure(values, out, firstIndex + i, failures[i]);
            } else {
                writeValue(values, out, firstIndex + i, results[i]);
            }
        }
    }

    /**
     * Writes {@code count} outcomes that say the items were not delivered; the timings follow.
     *
     * @param out     where to write
     * @param count   the chunk's number of items
     * @param message why, for each item
     */
    public static void writeUndelivered(Output out, int count, String message) {
        out.writeByte(CompactValues.NONE);
        for (int i = 0; i < count; i++) {
            out.writeByte(Protocol.NOT_DELIVERED);
            out.writeString(message);
        }
    }

    /**
     * Writes the end of a RESULT: how long the worker spent rebuilding, running and serialising.
     *
     * @param out              where to write
     * @param deserializeNanos time spent rebuilding items
     * @param executeNanos     time spent running them
     * @param serializeNanos   time spent serialising outcomes
     */
    public static void writeTimings(Output out, long deserializeNanos, long executeNanos, long serializeNanos) {
        out.writeVarLong(deserializeNanos, true);
        out.writeVarLong(executeNanos, true);
        out.writeVarLong(serializeNanos, true);
    }

    private static void writeValue(ValueSerializer values, Output out, long index, Object value) {
        int mark = out.position();
        try {
            out.writeByte(Protocol.OK);
            values.write(out, value);
        } catch (RuntimeException | StackOverflowError e) {
            values.reset();
            out.setPosition(mark);
            writeNotSerializable(out, KryoCodec.failure("could not serialise the result of item " + index, value, e)
                    .getMessage());
        }
    }

    private static void writeFailure(ValueSerializer values, Output out, long index, Throwable failure) {
        int mark = out.position();
        try {
            if (failure instanceof PoolFailed) {
                out.writeByte(Protocol.POOL_FAILED);
                Failures.write(values, out, failure.getCause());
            } else {
                out.writeByte(Protocol.TASK_FAILED);
                Failures.write(values, out, failure);
            }
        } catch (RuntimeException | StackOverflowError e) {
            values.reset();
            out.setPosition(mark);
            writeNotSerializable(out, "could not serialise the exception of item " + index + " ("
                    + failure.getClass().getName() + "): " + e);
        }
    }

    private static void writeNotSerializable(Output out, String message) {
        out.writeByte(Protocol.NOT_SERIALIZABLE);
        out.writeString(message);
    }
}
