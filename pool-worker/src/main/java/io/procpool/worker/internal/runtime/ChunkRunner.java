package io.procpool.worker.internal.runtime;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;
import io.procpool.Task;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * The part of a worker that knows nothing of its transport: applies a chunk's function to its items, rebuilt and
 * written back by {@link ChunkCodec}, and times each phase. A worker JVM runs it between its Chronicle queues; a
 * cluster member runs it on the bytes a Hazelcast task carries. One instance per thread: it holds that thread's
 * serializer.
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
         * {@code failures}: the task's own exception as it is, or a {@link ChunkCodec.PoolFailed} when the pool that
         * ran it failed it.
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
        ChunkCodec.Items items = ChunkCodec.readItems(values, in, firstIndex, count);
        long deserialised = System.nanoTime();

        Object[] results = new Object[count];
        Throwable[] failures = new Throwable[count];
        int ran = 0;
        if (function instanceof Task && items.readable() > 0) {
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
            itemsRunner.run((Task<Object, Object>) function, items.values(), items.readable(), results, failures,
                    offset);
            ran = items.readable();
        }
        long executed = System.nanoTime();

        String functionFailure = function instanceof Task ? null
                : function instanceof SerializationException ? ((SerializationException) function).getMessage()
                : "the worker does not have the call's function";
        ChunkCodec.writeOutcomes(values, out, firstIndex, items, functionFailure, results, failures);
        lastDeserializeNanos = deserialised - startNanos;
        lastExecuteNanos = executed - deserialised;
        lastSerializeNanos = System.nanoTime() - executed;
        writeLastTimings(out);
        return ran;
    }

    /**
     * Writes the timings of the last {@link #run}, as its outcomes end: for outcomes written again in their place.
     *
     * @param out where to write
     */
    public void writeLastTimings(Output out) {
        ChunkCodec.writeTimings(out, lastDeserializeNanos, lastExecuteNanos, lastSerializeNanos);
    }
}
