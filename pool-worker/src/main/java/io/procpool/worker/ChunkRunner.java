package io.procpool.worker;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;
import io.procpool.Task;
import io.procpool.worker.internal.protocol.CompactValues;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.protocol.ResultDecoder;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * The part of a worker that knows nothing of its transport: rebuilds a chunk's items, applies the function to each,
 * and writes their outcomes with the worker's timings, in the layout {@link Protocol} gives for a CHUNK's items and
 * a RESULT's outcomes. A worker JVM runs it between its Chronicle queues; a cluster member runs it on the bytes a
 * Hazelcast task carries. The pool side writes items with {@link #writeItems} and reads outcomes with
 * {@link ResultDecoder}. One instance per thread: it holds that thread's serializer.
 */
public final class ChunkRunner {
    /** Told as each item starts and when the chunk is done, for a pool's per-task timeout. */
    public interface ItemWatch {
        /** Watches nothing. */
        ItemWatch NONE = new ItemWatch() {
            @Override
            public void started(long index) {
            }

            @Override
            public void done() {
            }
        };

        /**
         * An item is about to run.
         *
         * @param index the item's index in its call
         */
        void started(long index);

        /** The chunk's items have run. */
        void done();
    }

    /**
     * Applies a task to a chunk's items: one after another on the calling thread by default; a cluster member that
     * isolates tasks hands them to worker JVMs of its own.
     */
    public interface ItemsRunner {
        /**
         * Applies {@code task} to {@code items[0..count)}, putting each outcome in {@code results} or
         * {@code failures}: the task's own exception as it is, or a {@link PoolFailed} when the pool that ran it
         * failed it.
         *
         * @param task     the task
         * @param items    the items
         * @param count    how many of {@code items} to run
         * @param results  where results go, by index
         * @param failures where failures go, by index
         * @param watch    told as each item starts, where the runner knows
         */
        void run(Task<Object, Object> task, Object[] items, int count, Object[] results, Throwable[] failures,
                 ItemWatch watch);
    }

    /** An item's failure that is not the task's but the pool's that ran it, as {@link Protocol#POOL_FAILED} says. */
    public static final class PoolFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * Wraps the pool's exception.
         *
         * @param failure the exception that pool failed the item with
         */
        public PoolFailed(io.procpool.PoolException failure) {
            super(failure);
        }
    }

    /** The default: each item in turn, on the calling thread. */
    private static final ItemsRunner IN_TURN = (task, items, count, results, failures, watch) -> {
        for (int i = 0; i < count; i++) {
            watch.started(i);
            try {
                results[i] = task.apply(items[i]);
            } catch (Throwable t) {
                failures[i] = t;
            }
        }
        watch.done();
    };

    /** Why the last {@link #writeItems} on this thread failed: kept beside its index, not thrown. */
    private static final ThreadLocal<Throwable> lastItemFailure = new ThreadLocal<>();

    private final ValueSerializer values;
    private final ItemsRunner itemsRunner;
    private long lastDeserializeNanos;
    private long lastExecuteNanos;
    private long lastSerializeNanos;

    /**
     * Creates a runner for one thread.
     *
     * @param values that thread's serializer
     */
    public ChunkRunner(ValueSerializer values) {
        this(values, IN_TURN);
    }

    /**
     * Creates a runner for one thread that hands items to {@code itemsRunner}.
     *
     * @param values      that thread's serializer
     * @param itemsRunner what applies the task to the items
     */
    public ChunkRunner(ValueSerializer values, ItemsRunner itemsRunner) {
        this.values = values;
        this.itemsRunner = itemsRunner;
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
     * Reads {@code count} items from {@code in}, applies {@code function} to each, and writes their outcomes and the
     * timings to {@code out}, whatever fails: an item that cannot be rebuilt, a function that could not be, a task
     * that throws, a result that cannot be serialised, each becomes that item's outcome.
     *
     * @param in          at the chunk's items
     * @param firstIndex  the index in its call of the chunk's first item, for error messages
     * @param count       the chunk's number of items
     * @param function    the rebuilt {@link Task}, or the {@link SerializationException} rebuilding it gave, or
     *                    {@code null} if the worker does not have it
     * @param out         where the outcomes go, after whatever the caller wrote before them
     * @param startNanos  when the caller started on the chunk, for the rebuild timing
     * @param watch       told as each item starts
     * @return the number of items the function was applied to
     */
    @SuppressWarnings("unchecked")
    public int run(Input in, long firstIndex, int count, Object function, Output out, long startNanos,
                   ItemWatch watch) {
        byte itemsKind = in.readByte();
        Object[] items = new Object[count];
        int readable = 0;
        String itemFailure = null;
        try {
            if (itemsKind != CompactValues.NONE) {
                CompactValues.read(in, itemsKind, items, count);
                readable = count;
            }
            for (; readable < count; readable++) {
                items[readable] = values.read(in);
            }
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            values.reset();
            itemFailure = KryoCodec.failure("could not deserialise item " + (firstIndex + readable) + " in the worker",
                    null, e).getMessage();
        }
        long deserialised = System.nanoTime();

        Object[] results = new Object[count];
        Throwable[] failures = new Throwable[count];
        boolean anyFailed = readable < count;
        int ran = 0;
        if (function instanceof Task && readable > 0) {
            ItemWatch offset = watch == ItemWatch.NONE ? watch : new ItemWatch() {
                @Override
                public void started(long index) {
                    watch.started(firstIndex + index);
                }

                @Override
                public void done() {
                    watch.done();
                }
            };
            itemsRunner.run((Task<Object, Object>) function, items, readable, results, failures, offset);
            ran = readable;
            for (int i = 0; i < readable && !anyFailed; i++) {
                anyFailed = failures[i] != null;
            }
        }
        long executed = System.nanoTime();

        byte resultsKind = function instanceof Task && !anyFailed ? CompactValues.kindOf(results, count)
                : CompactValues.NONE;
        if (resultsKind != CompactValues.NONE) {
            CompactValues.write(out, resultsKind, results, count);
        } else {
            out.writeByte(CompactValues.NONE);
            for (int i = 0; i < count; i++) {
                if (!(function instanceof Task)) {
                    writeNotSerializable(out, function instanceof SerializationException
                            ? ((SerializationException) function).getMessage()
                            : "the worker does not have the call's function");
                } else if (i >= readable) {
                    writeNotSerializable(out, itemFailure);
                } else if (failures[i] != null) {
                    writeFailure(out, firstIndex + i, failures[i]);
                } else {
                    writeValue(out, firstIndex + i, results[i]);
                }
            }
        }
        lastDeserializeNanos = deserialised - startNanos;
        lastExecuteNanos = executed - deserialised;
        lastSerializeNanos = System.nanoTime() - executed;
        writeLastTimings(out);
        return ran;
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
     * Writes the timings of the last {@link #run}, as its outcomes end: for outcomes written again in their place.
     *
     * @param out where to write
     */
    public void writeLastTimings(Output out) {
        writeTimings(out, lastDeserializeNanos, lastExecuteNanos, lastSerializeNanos);
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

    private void writeValue(Output out, long index, Object value) {
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

    private void writeFailure(Output out, long index, Throwable failure) {
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
