package io.procpool.cluster;

import com.esotericsoftware.kryo.io.Input;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.CloseableIterator;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.launcher.ProcessPool;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.runtime.ChunkRunner;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What runs chunks in a member JVM: on the executor's threads, each with its own serializer and the functions it
 * rebuilt last, or, when the member isolates tasks, in worker JVMs of a {@link ProcessPool} of the member's own
 * (one per serialisation in use), which keeps crash containment and hard time limits per task. Both read only the
 * classes the member's {@code --allow-classes} allows, if it has a list.
 */
final class MemberRuntime implements AutoCloseable {
    /** Rebuilt functions kept per thread, by their bytes: a call's chunks carry the same function. */
    private static final int FUNCTIONS_PER_THREAD = 16;

    private static volatile MemberRuntime current;

    private final MemberOptions options;
    private final ClassFilter classFilter;
    @GuardedBy("this")
    private final Map<Serialization, ProcessPool> processPools = new EnumMap<>(Serialization.class);
    private final ThreadLocal<Map<Serialization, PerThread>> perThread =
            ThreadLocal.withInitial(() -> new EnumMap<>(Serialization.class));
    @GuardedBy("this")
    private boolean closed;

    private MemberRuntime(MemberOptions options) {
        this.options = options;
        this.classFilter = ClassFilter.allowing(options.allowedClasses());
    }

    /** {@return a runtime for this JVM's member, made current} */
    static MemberRuntime start(MemberOptions options) {
        MemberRuntime runtime = new MemberRuntime(options);
        current = runtime;
        return runtime;
    }

    /** {@return this JVM's member runtime} */
    static MemberRuntime get() {
        MemberRuntime runtime = current;
        if (runtime == null) {
            throw new IllegalStateException("this JVM runs no procpool member: start it with "
                    + ClusterMember.class.getName());
        }
        return runtime;
    }

    /** Runs a chunk and returns its outcomes in the RESULT layout (outcomes, then timings). */
    byte[] run(ChunkTask task) {
        long start = System.nanoTime();
        if (!HazelcastSetup.VERSION.equals(task.version())) {
            // A pool checks members' versions when it connects; this catches a member that was swapped since.
            try (RawBitsOutput out = new RawBitsOutput(256, -1)) {
                ChunkCodec.writeUndelivered(out, task.count(), "the member runs procpool " + HazelcastSetup.VERSION
                        + " and the pool " + task.version() + ": both sides must run the same version");
                ChunkCodec.writeTimings(out, 0, 0, 0);
                return out.toBytes();
            }
        }
        PerThread thread = perThread.get().computeIfAbsent(task.serialization(), this::newPerThread);
        Object function = thread.function(task.function());
        RawBitsOutput out = thread.out;
        out.reset();
        thread.runner.run(new Input(task.items()), task.firstIndex(), task.count(), function, out, start,
                ChunkRunner.ItemWatch.NONE);
        byte[] bytes = out.toBytes();
        thread.shrink();
        // An interrupt meant for this chunk's cancelled call must not reach the next chunk this thread runs.
        Thread.interrupted();
        return bytes;
    }

    private PerThread newPerThread(Serialization serialization) {
        ValueSerializer values = MachineLocal.refusing(ValueSerializers.create(serialization, classFilter, null));
        ChunkRunner runner = options.workerProcesses()
                ? new ChunkRunner(values, (task, items, count, results, failures, watch) ->
                        runInProcesses(serialization, task, items, count, results, failures))
                : new ChunkRunner(values);
        return new PerThread(values, runner);
    }

    /**
     * Hands the items to the member's worker JVMs, one item per worker at a time, and takes each outcome: the task's
     * own exception as the task's, a crash or a time limit as the pool's failure.
     */
    private void runInProcesses(Serialization serialization, io.procpool.Task<Object, Object> task, Object[] items,
                                int count, Object[] results, Throwable[] failures) {
        ProcessPool pool = processPool(serialization);
        try (CloseableIterator<Object> outcomes = pool.imap(task, Arrays.asList(items).subList(0, count), 1)) {
            for (int i = 0; i < count; i++) {
                try {
                    results[i] = outcomes.next();
                } catch (TaskFailedException e) {
                    failures[i] = e.getCause();
                } catch (PoolException e) {
                    failures[i] = new ChunkCodec.PoolFailed(e);
                }
            }
        }
    }

    private synchronized ProcessPool processPool(Serialization serialization) {
        if (closed) {
            throw new PoolException("the member is shutting down");
        }
        return processPools.computeIfAbsent(serialization, s -> {
            // Named after the member, so that its workers' lines say whose they are: [member-5701-kryo worker 0 ...].
            ProcessPool.Builder builder = ProcessPool.builder().processes(options.workers()).serialization(s)
                    .name("member-" + options.port() + "-" + s.name().toLowerCase(Locale.ROOT))
                    .allowClasses(options.allowedClasses().toArray(new String[0]));
            if (options.taskTimeoutMs() > 0) {
                builder.taskTimeout(Duration.ofMillis(options.taskTimeoutMs()));
            }
            if (options.maxMemoryPerChild() > 0) {
                builder.maxMemoryPerChild(options.maxMemoryPerChild());
            }
            return builder.build();
        });
    }

    /** Stops the member's worker JVMs, if it has any. */
    @Override
    public void close() {
        ProcessPool[] pools;
        synchronized (this) {
            closed = true;
            pools = processPools.values().toArray(new ProcessPool[0]);
            processPools.clear();
        }
        for (ProcessPool pool : pools) {
            pool.terminate();
            pool.join();
        }
    }

    /** One executor thread's serializer, runner, output buffer and recently rebuilt functions. */
    private static final class PerThread {
        private static final int INITIAL_OUTPUT_BYTES = 8192;
        private static final int MAX_KEPT_OUTPUT_BYTES = 1 << 20;

        final ValueSerializer values;
        final ChunkRunner runner;
        RawBitsOutput out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
        private final Map<ByteBuffer, Object> functions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Object> eldest) {
                return size() > FUNCTIONS_PER_THREAD;
            }
        };

        PerThread(ValueSerializer values, ChunkRunner runner) {
            this.values = values;
            this.runner = runner;
        }

        /** {@return the function rebuilt, or the {@link SerializationException} rebuilding it gave} */
        Object function(byte[] bytes) {
            ByteBuffer key = ByteBuffer.wrap(bytes);
            Object function = functions.get(key);
            if (function == null) {
                try {
                    function = values.read(new Input(bytes));
                } catch (RuntimeException | LinkageError | StackOverflowError e) {
                    values.reset();
                    function = KryoCodec.failure("could not deserialise the function in the member", null, e);
                }
                functions.put(key, function);
            }
            return function;
        }

        /** A large answer's buffer is not kept for the thread's life. */
        void shrink() {
            if (out.getBuffer().length > MAX_KEPT_OUTPUT_BYTES) {
                out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
            }
        }
    }
}
