package io.procpool.launcher;

import io.procpool.internal.PoolCounters;

import io.procpool.Initializer;
import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.Serialization;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.MapCall;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.launcher.internal.core.Conductor;
import io.procpool.launcher.internal.core.CoreSettings;
import io.procpool.launcher.internal.core.DirectPath;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.JvmFlags;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.WorkerMain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Pool} whose workers are child JVMs: Python's {@code multiprocessing.Pool} for Java. Functions, items and
 * results cross the process boundary serialised with Kryo through memory-mapped Chronicle Queue files, one queue
 * each way per worker. A task that crashes, leaks, calls {@code System.exit} or hangs takes down only its worker,
 * which is replaced; exactly the work it held fails.
 *
 * <pre>{@code
 * try (Pool pool = ProcessPool.create(4)) {
 *     List<Long> sums = pool.map((Long n) -> cpuWork(n), inputs);
 * }
 * }</pre>
 *
 * <p>Creating a pool starts its workers and waits until each is ready (its initializer has run). A pool created
 * inside a worker (say, in a static field of the class whose tasks the worker runs) starts its workers only when it
 * is first used, so that such a field costs nothing in the workers that never use it. The parent JVM
 * needs the flags in {@code META-INF/procpool/jvm.args}; without them {@link #create(int)} says which are missing.
 * Callbacks on the returned futures run on the pool's loop thread unless an {@code ...Async} variant is used: keep
 * them short, and never block on the pool from them. The loop thread also reads the items of {@code imap} calls
 * from their {@code Iterable}s: an iterator that blocks holds up the whole pool.
 */
public final class ProcessPool extends AbstractPool {
    private static final long THREAD_EXIT_WAIT_MS = 5_000;
    private final PoolConfig config;
    private final PoolCounters counters;
    private final FunctionTable functions;
    private final DirectPath directPath;
    private final Thread shutdownHook;
    private final Object startLock = new Object();
    /** Null until the workers start; written once, under {@link #startLock}. */
    private volatile Conductor loop;
    /** Shut down or terminated before its workers ever started (a pool made inside a worker and never used). */
    private volatile boolean stoppedBeforeStart;
    private volatile long startupNanos;
    /** When the workers' start began ({@link io.procpool.worker.internal.protocol.Protocol#epochMicros}); 0 before. */
    private volatile long startupMicros;

    private ProcessPool(PoolConfig config) {
        this.config = config;
        this.counters = new PoolCounters();
        this.functions = new FunctionTable(config.workerClasspath(), config.serialization());
        this.directPath = new DirectPath(settings(config), counters);
        this.shutdownHook = new Thread(this::terminateQuietly, "procpool-shutdown-hook");
        if (!Boolean.getBoolean(WorkerMain.IN_WORKER_PROPERTY)) {
            startWorkers();
        }
    }

    /**
     * Starts the workers and waits until each is ready: at once for a pool made in an application, at its first
     * call for a pool made inside a worker. A pool in a static field of the class whose lambdas run in it is made
     * again in every worker that loads the class; started eagerly, two workers would each start two more, and so
     * on ({@code N + N²} JVMs). Python asks for an {@code if __name__ == "__main__"} guard; this needs none.
     */
    private Conductor startWorkers() {
        synchronized (startLock) {
            if (loop != null) {
                return loop;
            }
            if (stoppedBeforeStart) {
                throw new IllegalStateException("the pool is shut down and accepts no new work");
            }
            long start = System.nanoTime();
            startupMicros = io.procpool.worker.internal.protocol.Protocol.epochMicros();
            PoolDirectory directory = PoolDirectory.create(config.queueRoot(), config.processes());
            Conductor created;
            try {
                created = new Conductor("procpool-loop-" + directory.path().getFileName(), settings(config),
                        new WorkerLauncher(config, directory, counters), counters);
            } catch (RuntimeException | Error e) {
                directory.delete();
                throw e;
            }
            // Chronicle's loggers are set to WARN on this thread, after the workers were launched (their boot is the
            // long part) and before either side's queues open on threads of their own (see Quiet.loggers).
            io.procpool.worker.internal.logging.Quiet.loggers();
            loop = created;
            startLock.notifyAll();
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            created.start();
            awaitStart(created);
            startupNanos = System.nanoTime() - start;
            return created;
        }
    }

    /** {@return what the core acts on, of the pool's settings} */
    private static CoreSettings settings(PoolConfig config) {
        return new CoreSettings(config.processes(), config.maxTasksPerChild(), config.retries(), config.taskTimeout(),
                config.heartbeatTimeout(), config.startTimeout(), config.idleMode());
    }

    private void awaitStart(Conductor loop) {
        try {
            loop.started().get(config.startTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            terminateQuietly();
            Throwable cause = e.getCause();
            throw cause instanceof PoolException ? (PoolException) cause
                    : new PoolException("the pool could not start: " + cause, cause);
        } catch (TimeoutException e) {
            terminateQuietly();
            throw new PoolException("the pool's workers did not start within " + config.startTimeout());
        } catch (InterruptedException e) {
            terminateQuietly();
            Thread.currentThread().interrupt();
            throw new PoolException("interrupted while the pool was starting", e);
        }
    }

    /**
     * Creates a pool of {@code processes} workers with default settings, and waits until they are ready.
     *
     * @param processes the number of worker JVMs, at least 1
     * @return a new pool, ready for work
     * @throws IllegalArgumentException if {@code processes} is less than 1
     * @throws PoolException            if a worker cannot start (its command line and standard error are quoted)
     */
    public static ProcessPool create(int processes) {
        return builder().processes(processes).build();
    }

    /**
     * Creates a pool with one worker per available processor, and waits until they are ready.
     *
     * @return a new pool, ready for work
     * @throws PoolException if this JVM lacks the flags Chronicle needs, or a worker cannot start (its command line
     *                       and standard error are quoted)
     */
    public static ProcessPool create() {
        return builder().build();
    }

    /**
     * Starts the settings of a pool that needs more than the number of workers: an initializer, timeouts, retries,
     * JVM options. Nothing starts until {@link Builder#build()}.
     *
     * @return a builder for a pool with more settings than the number of workers
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int size() {
        return config.processes();
    }

    /**
     * Sending a chunk to a worker and its results back costs tens of microseconds of the pool's time: chunks of
     * two milliseconds keep that to a few percent, and are still short enough to balance work across workers.
     */
    @Override
    protected long targetChunkNanos() {
        return 2_000_000;
    }

    /**
     * Returns how long the pool took to start its workers.
     *
     * @return how long this pool took to start: from the call that started its workers (the one that created it,
     * or for a pool made inside a worker its first call) until every worker was ready; zero before that
     */
    public Duration startupTime() {
        return Duration.ofNanos(startupNanos);
    }

    /**
     * Returns where this pool's start-up went, worker by worker: launch, JVM boot, the serialiser and Chronicle
     * queues, the handshake, and the first result. {@code System.out.println(pool.startupBreakdown().orElseThrow())}
     * prints it as a table.
     *
     * @return the breakdown of the workers the pool started with; empty until they have started (a pool made
     * inside a worker starts at its first call)
     */
    public Optional<StartupBreakdown> startupBreakdown() {
        Conductor started = loop;
        long nanos = startupNanos;
        if (started == null || nanos == 0) {
            return Optional.empty();
        }
        return Optional.of(StartupBreakdown.of(startupMicros, nanos, started.firstWorkers().stream()
                .map(slot -> (WorkerProcess) slot.channel()).collect(java.util.stream.Collectors.toList())));
    }

    @Override
    protected void submit(Call call) {
        Conductor loop = runningLoop();
        call.onCancel(loop::cancelled);
        loop.submit(functions.activate(call, counters));
    }

    /** A call whose caller waits for it runs on the caller's thread when a worker is idle: see {@link DirectPath}. */
    @Override
    protected void submitAndRun(Call call) {
        Conductor loop = runningLoop();
        call.onCancel(loop::cancelled);
        ActiveCall active = functions.activate(call, counters);
        if (!directPath.tryRun(loop, active)) {
            loop.submit(active);
        }
    }

    /** {@return how many calls ran on their caller's thread (for tests)} */
    long directCalls() {
        return directPath.callsRun();
    }

    private Conductor runningLoop() {
        Conductor loop = this.loop != null ? this.loop : startWorkers();
        PoolException broken = loop.broken();
        if (broken != null) {
            throw new PoolException(broken.getMessage(), broken);
        }
        if (loop.isStopping()) {
            throw new IllegalStateException("the pool is shut down and accepts no new work");
        }
        return loop;
    }

    @Override
    protected void checkMayBlock() {
        Conductor loop = this.loop;
        if (loop != null && Thread.currentThread() == loop.thread()) {
            throw new IllegalStateException("a blocking call on the pool from one of its own callbacks would "
                    + "wait for itself forever; use the ...Async variants in callbacks, or thenApplyAsync");
        }
    }

    @Override
    public void shutdown() {
        Conductor loop = stopBeforeStart();
        if (loop != null) {
            loop.requestShutdown();
        }
    }

    /** {@return the running loop, or null after making sure a pool that never started never will} */
    private Conductor stopBeforeStart() {
        synchronized (startLock) {
            if (loop == null) {
                stoppedBeforeStart = true;
                startLock.notifyAll();
            }
            return loop;
        }
    }

    @Override
    public void join() {
        Conductor loop = this.loop;
        if (loop == null) {
            if (!stoppedBeforeStart) {
                throw new IllegalStateException("join() needs shutdown() or terminate() first");
            }
            return;
        }
        if (!loop.isStopping()) {
            throw new IllegalStateException("join() needs shutdown() or terminate() first");
        }
        checkMayBlock();
        boolean interrupted = false;
        while (true) {
            try {
                loop.stopped().get();
                // The loop completes stopped() as its last act: wait for its thread to be gone too, so that
                // nothing of the pool's runs once join() returns.
                loop.thread().join(THREAD_EXIT_WAIT_MS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        removeShutdownHook();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void terminate() {
        Conductor loop = stopBeforeStart();
        if (loop != null) {
            loop.requestTerminate();
        }
    }

    @Override
    protected boolean isShutdown() {
        synchronized (startLock) {
            return loop == null ? stoppedBeforeStart : loop.isStopping();
        }
    }

    @Override
    protected boolean isTerminated() {
        synchronized (startLock) {
            return loop == null ? stoppedBeforeStart : loop.stopped().isDone();
        }
    }

    @Override
    protected boolean awaitTermination(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        Conductor started;
        synchronized (startLock) {
            // A pool made inside a worker may not have started yet: then it waits to start or to be shut down.
            while ((started = loop) == null && !stoppedBeforeStart) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(startLock, left);
            }
        }
        return started == null || awaitStopped(started.stopped(), deadline - System.nanoTime());
    }

    /** Chunks handed ahead to a busy worker that has not begun them are cancelled before they start, and said so. */
    @Override
    protected java.util.Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        Conductor started = loop;
        return started == null ? super.cancelReportingUnstarted(calls) : started.cancelReportingUnstarted(calls);
    }

    /** Serialises the value as a task's item would be, and drops the bytes. */
    @Override
    protected void checkCrosses(Object value) {
        io.procpool.worker.internal.serial.ValueSerializers.toBytes(config.serialization(), value, "the task");
    }

    /** Tasks run in worker JVMs: the ExecutorService view asks for serialisable ones. */
    @Override
    protected boolean tasksLeaveThisJvm() {
        return true;
    }

    @Override
    public PoolStats stats() {
        return counters.snapshot();
    }

    /** Terminates and waits a little for the workers to go: for a failed start, and for the JVM's exit. */
    private void terminateQuietly() {
        terminate();
        Conductor loop = this.loop;
        if (loop == null) {
            return;
        }
        try {
            loop.stopped().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // Workers also watch this process and exit on their own when it is gone.
        }
        removeShutdownHook();
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running or ran.
        }
    }

    @Override
    public String toString() {
        return "ProcessPool[processes=" + config.processes() + "]";
    }

    /**
     * Settings for a {@link ProcessPool}. Every setting is checked in {@link #build()}, whose errors name the bad
     * value.
     */
    public static final class Builder {
        private int processes = Runtime.getRuntime().availableProcessors();
        private Initializer initializer;
        private int maxTasksPerChild;
        private int retries;
        private Duration taskTimeout;
        private Duration heartbeatTimeout = Duration.ofSeconds(10);
        private final List<String> allowedClasses = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private final List<String> jvmOptions = new ArrayList<>();
        private Path javaExecutable;
        private Path queueDirectory;
        private IdleStrategy.Mode idleMode = IdleStrategy.Mode.BACKOFF;
        private Serialization serialization = Serialization.KRYO;

        private Builder() {
        }

        /**
         * Sets the number of worker JVMs; by default one per available processor.
         *
         * @param processes the number of workers; {@link #build()} refuses less than 1
         * @return this builder
         */
        public Builder processes(int processes) {
            this.processes = processes;
            return this;
        }

        /**
         * Sets code each worker runs once before its first task, like Python's {@code initializer}. A worker whose
         * initializer throws does not start, and the pool reports why.
         *
         * @param initializer the code to run, sent to each worker with the values it captures; {@code null} for none
         * @return this builder
         */
        public Builder initializer(Initializer initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * A worker exits and is replaced after it has run this many items (it finishes the chunk that reaches
         * the number); 0, the default, means never. Python's {@code maxtasksperchild}.
         *
         * @param maxTasksPerChild items per worker before it is replaced, or 0; {@link #build()} refuses a negative
         *                         number
         * @return this builder
         */
        public Builder maxTasksPerChild(int maxTasksPerChild) {
            this.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        /**
         * How many times a chunk whose worker died (killed, crashed, out of memory) is run again on another worker
         * before its items fail with a {@link io.procpool.WorkerCrashedException}; 0, the default, means never.
         * A retried item may run more than once: tasks must tolerate being run at least once, not exactly once.
         * A timed-out item is not retried.
         *
         * @param retries the number of further attempts, 0 or more
         * @return this builder
         */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /**
         * How old a worker's heartbeat may get before the worker counts as stuck (frozen, not merely busy: the
         * heartbeat comes from a thread of its own) and is killed and replaced; 10 seconds by default. A worker
         * likewise exits by itself when the pool's heartbeat is three times this old.
         *
         * @param heartbeatTimeout the oldest a heartbeat may get; {@link #build()} refuses less than 1 second
         * @return this builder
         */
        public Builder heartbeatTimeout(Duration heartbeatTimeout) {
            this.heartbeatTimeout = heartbeatTimeout;
            return this;
        }

        /**
         * Restricts what both sides deserialise to these classes (plus what procpool itself sends), in
         * {@link java.io.ObjectInputFilter} pattern syntax: {@code com.example.*}, {@code com.example.**}, or a class
         * name. Off by default: the queue directory is private to this user, which is the trust boundary. Each call
         * adds to the patterns of the calls before it.
         *
         * @param patterns the classes to allow, one pattern per argument
         * @return this builder
         * @throws NullPointerException if a pattern is {@code null}
         */
        public Builder allowClasses(String... patterns) {
            for (String pattern : patterns) {
                allowedClasses.add(Objects.requireNonNull(pattern, "a class pattern is null"));
            }
            return this;
        }

        /**
         * The longest one item may run. A later item's worker is killed and replaced, and the item fails with a
         * {@link io.procpool.TaskTimeoutException}; by default there is no limit. The other items of the late
         * item's chunk run again on another worker, including those that had finished but whose results died with
         * the worker: use chunksize 1 where running an item twice matters.
         *
         * @param taskTimeout the longest an item may run, positive, or {@code null} for no limit
         * @return this builder
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = taskTimeout;
            return this;
        }

        /**
         * Sets how long a worker may take to start and run its initializer; 60 seconds by default.
         *
         * @param startTimeout the longest a worker may take to get ready, positive
         * @return this builder
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Options for the worker JVMs, one per argument ({@code jvmOptions("-Xmx512m", "-XX:+UseG1GC")}), added
         * after the ones procpool needs, so they win. Workers also get the {@code -D} system properties this JVM was
         * started with, and by default a maximum heap that keeps all the workers within half of the machine's
         * memory, an initial heap of 8 MiB and the serial collector (a worker runs one task at a time); a heap size
         * or a collector here replaces them. Each call adds to the options of the calls before it.
         *
         * @param options the JVM options, one per argument
         * @return this builder
         * @throws NullPointerException     if an option is {@code null}
         * @throws IllegalArgumentException for a null or blank option, or several options in one string
         */
        public Builder jvmOptions(String... options) {
            for (String option : options) {
                Objects.requireNonNull(option, "a JVM option is null");
                if (option.isBlank()) {
                    throw new IllegalArgumentException("a JVM option is blank: '" + option + "'");
                }
                String[] words = option.trim().split("\\s+");
                if (words.length > 1 && java.util.Arrays.stream(words).allMatch(w -> w.startsWith("-"))) {
                    // The JVM would read "-Xmx256m -Xss2m" as one malformed heap size.
                    throw new IllegalArgumentException("jvmOptions takes one option per argument: '" + option
                            + "' holds " + words.length + "; pass them as jvmOptions(\""
                            + String.join("\", \"", words) + "\")");
                }
                jvmOptions.add(option);
            }
            return this;
        }

        /**
         * Sets the {@code java} that starts workers; by default this JVM's own.
         *
         * @param javaExecutable the path of a {@code java} launcher, Java 17 or later, or {@code null} for this
         *                       JVM's own
         * @return this builder
         */
        public Builder javaExecutable(Path javaExecutable) {
            this.javaExecutable = javaExecutable;
            return this;
        }

        /**
         * Sets where the pool's private queue directory is made; by default /dev/shm, else the temporary directory.
         *
         * @param queueDirectory the directory to make the pool's own directory in, or {@code null} for the default
         * @return this builder
         */
        public Builder queueDirectory(Path queueDirectory) {
            this.queueDirectory = queueDirectory;
            return this;
        }

        /**
         * How functions, items, results and exceptions cross to the workers: {@link Serialization#KRYO} by default,
         * {@link Serialization#JAVA} (every value {@code Serializable}) or {@link Serialization#FORY}. The same values
         * cross with each, or fail with a {@link io.procpool.SerializationException} naming the class and the
         * serialisation; they differ in speed and size. {@code FORY} needs the application's own dependency on
         * {@code org.apache.fory:fory-core}: procpool does not bring it, and {@link #build()} fails without it.
         *
         * @param serialization the serialisation
         * @return this builder
         */
        public Builder serialization(Serialization serialization) {
            this.serialization = java.util.Objects.requireNonNull(serialization, "serialization");
            return this;
        }

        /**
         * Busy-spin polling for the lowest latency (each polling thread then uses a whole core), instead of the
         * default back-off that leaves an idle pool almost free.
         *
         * @param busySpin {@code true} to busy-spin, {@code false} for the default back-off
         * @return this builder
         */
        public Builder busySpin(boolean busySpin) {
            this.idleMode = busySpin ? IdleStrategy.Mode.BUSY_SPIN : IdleStrategy.Mode.BACKOFF;
            return this;
        }

        /**
         * Starts the workers and waits until each is ready.
         *
         * @return a new pool with these settings, ready for work
         * @throws IllegalArgumentException for a bad setting, naming it
         * @throws PoolException            if this JVM lacks the flags Chronicle needs, or Apache Fory for
         *                                  {@link Serialization#FORY} (the message names the dependency to add), or a
         *                                  worker cannot start
         */
        public ProcessPool build() {
            if (processes < 1) {
                throw new IllegalArgumentException("a pool needs at least 1 process, was asked for " + processes);
            }
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
            }
            if (heartbeatTimeout == null || heartbeatTimeout.toMillis() < 1000) {
                // Workers beat every 200 ms: a shorter limit would kill healthy workers.
                throw new IllegalArgumentException("heartbeatTimeout must be at least 1 second, was "
                        + heartbeatTimeout);
            }
            if (maxTasksPerChild < 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be 0 (no limit) or more, was "
                        + maxTasksPerChild);
            }
            if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
                throw new IllegalArgumentException("taskTimeout must be positive, was " + taskTimeout);
            }
            if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
            }
            checkParentJvm();
            // Here, not at the first value: a FORY pool without Fory would otherwise start and then fail to link.
            ValueSerializers.requireAvailable(serialization);
            Path java = javaExecutable != null ? javaExecutable : ChildJvms.javaExecutable();
            ClassFilter classFilter = ClassFilter.allowing(allowedClasses);
            return new ProcessPool(new PoolConfig(processes, initializer, maxTasksPerChild, retries, taskTimeout,
                    heartbeatTimeout, startTimeout, List.copyOf(jvmOptions), java, queueDirectory, idleMode,
                    classFilter, Classpath.forWorkers(Thread.currentThread().getContextClassLoader()),
                    serialization));
        }

        private static void checkParentJvm() {
            List<String> missing = JvmFlags.missing();
            if (!missing.isEmpty()) {
                throw new PoolException("this JVM lacks the flags Chronicle Queue needs: "
                        + String.join(" ", missing) + ". Pass them to java, e.g. `java "
                        + String.join(" ", JvmFlags.required()) + " ...`, or `java @jvm.args ...` with the file "
                        + JvmFlags.RESOURCE + " from the pool-worker jar, or in the JDK_JAVA_OPTIONS environment "
                        + "variable; for Maven Surefire add them to argLine; for an executable jar list them in "
                        + "the manifest as Add-Opens: java.base/java.lang.reflect java.base/sun.nio.ch and "
                        + "Add-Exports: java.base/jdk.internal.ref");
            }
        }
    }
}
