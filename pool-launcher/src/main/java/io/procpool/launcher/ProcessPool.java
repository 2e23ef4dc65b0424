package io.procpool.launcher;

import io.procpool.Initializer;
import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.Serialization;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * <p>Creating a pool starts its workers (its {@link Builder#minProcesses} of them) and waits until each is ready. A
 * pool created inside a worker (say, in a static field of the class whose tasks the worker runs) starts them at its
 * first use, so that such a field costs nothing in the workers that never use it. The parent JVM needs the flags in
 * {@code META-INF/procpool/jvm.args}; without them {@link #create(int)} says which are missing.
 * Callbacks on the returned futures run on the pool's loop thread unless an {@code ...Async} variant is used: keep
 * them short, and never block on the pool from them. The loop thread also reads the items of {@code imap} calls
 * from their {@code Iterable}s: an iterator that blocks holds up the whole pool.
 */
public final class ProcessPool extends AbstractPool {
    private final PoolConfig config;
    private final PoolCounters counters;
    private final ConductorHolder holder;
    /** Where calls enter the core; package-private for tests, which count the calls run on their caller's thread. */
    final CallEntry entry;

    private ProcessPool(PoolConfig config) {
        super(config.name());
        this.config = config;
        this.counters = new PoolCounters();
        this.holder = new ConductorHolder(config, config.coreSettings(), counters);
        this.entry = new CallEntry(holder, config, counters);
        holder.startUnlessInWorker();
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
     * @throws PoolException if this JVM lacks the flags Chronicle needs, or a worker cannot start (quoting why)
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

    /** A chunk's round trip costs tens of microseconds: 2 ms chunks keep that to a few percent, and still balance. */
    @Override
    protected long targetChunkNanos() {
        return 2_000_000;
    }

    /**
     * {@return how long this pool took to start: from the call that started its workers (the one that created it, or
     * for a pool made inside a worker its first call) until every worker was ready; zero before that}
     */
    public Duration startupTime() {
        return Duration.ofNanos(holder.startupNanos());
    }

    /**
     * {@return where this pool's start-up went, worker by worker (launch, JVM boot, the serialiser and Chronicle
     * queues, the handshake, the first result), which {@code System.out.println(pool.startupBreakdown().orElseThrow())}
     * prints as a table; empty until the workers have started (a pool made inside a worker starts at its first call)}
     */
    public Optional<StartupBreakdown> startupBreakdown() {
        return holder.startupBreakdown();
    }

    @Override
    protected void submit(Call call) {
        entry.submit(call, false);
    }

    /** A call whose caller waits for it runs on the caller's thread when a worker is idle: see {@code DirectPath}. */
    @Override
    protected void submitAndRun(Call call) {
        entry.submit(call, true);
    }

    @Override
    protected void checkMayBlock() {
        holder.checkMayBlock();
    }

    @Override
    public void shutdown() {
        holder.shutdown(false);
    }

    @Override
    public void join() {
        holder.join();
    }

    @Override
    public void terminate() {
        holder.shutdown(true);
    }

    @Override
    protected boolean isShutdown() {
        return holder.isShutdown();
    }

    @Override
    protected boolean isTerminated() {
        return holder.isTerminated();
    }

    @Override
    protected boolean awaitTermination(long nanos) throws InterruptedException {
        return holder.awaitTermination(nanos);
    }

    /** Chunks handed ahead to a busy worker that has not begun them are cancelled before they start, and said so. */
    @Override
    protected java.util.Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        return holder.current() == null ? super.cancelReportingUnstarted(calls)
                : holder.current().cancelReportingUnstarted(calls);
    }

    /** Serialises the value as a task's item would be, and drops the bytes. */
    @Override
    protected void checkCrosses(Object value) {
        ValueSerializers.toBytes(config.serialization(), value, "the task");
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

    @Override
    public String toString() {
        return "ProcessPool[name=" + name() + ", processes=" + config.processes() + "]";
    }

    /**
     * Settings for a {@link ProcessPool}. Every setting is checked in {@link #build()} (a name, JVM options and a
     * memory limit as they are set), whose errors name the bad value.
     */
    public static final class Builder {
        private final BuilderSettings settings = new BuilderSettings();

        private Builder() {
        }

        /**
         * Names the pool, for its threads, its workers' lines of output and crash reports: see {@link Pool#name()}.
         *
         * @param name not blank, with no white space at either end, no control character and none of {@code ,=:*?"\[]}
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is {@code null} or not such a name, quoting it
         */
        public Builder name(String name) {
            settings.name = io.procpool.internal.PoolNames.check(name);
            return this;
        }

        /**
         * Registers the pool's {@link io.procpool.metrics.PoolMXBean}, {@code io.procpool:type=Pool,name=<name>},
         * until it stops; off by default. {@link #build()} refuses a name already taken.
         *
         * @param jmx whether to register the pool's JMX bean
         * @return this builder
         */
        public Builder jmx(boolean jmx) {
            settings.jmx = jmx;
            return this;
        }

        /**
         * Sets the number of worker JVMs; by default one per available processor.
         *
         * @param processes the number of workers; {@link #build()} refuses less than 1
         * @return this builder
         */
        public Builder processes(int processes) {
            settings.processes = processes;
            return this;
        }

        /**
         * The workers kept when idle ({@code ThreadPoolExecutor}'s core size); by default all, a fixed pool. Below
         * it, workers start as queued work needs them, up to {@link #processes}, and one idle for {@link #keepAlive}
         * ends; with 0 no worker starts before the first call.
         *
         * @param minProcesses 0 to {@code processes}; {@link #build()} refuses others
         * @return this builder
         */
        public Builder minProcesses(int minProcesses) {
            settings.minProcesses = minProcesses;
            return this;
        }

        /**
         * How long a worker above {@link #minProcesses} may stay idle before it ends; 60 seconds by default.
         *
         * @param keepAlive positive; {@link #build()} refuses {@code null}, zero or less
         * @return this builder
         */
        public Builder keepAlive(Duration keepAlive) {
            settings.keepAlive = keepAlive;
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
            settings.initializer = initializer;
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
            settings.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        /**
         * A worker whose resident memory ({@code /proc}, Linux) is above this after a chunk is replaced once the
         * chunk's results are in; Celery's {@code worker_max_memory_per_child}. No limit by default.
         *
         * @param bytes the most resident memory a worker may keep, in bytes
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is 0 or less
         */
        public Builder maxMemoryPerChild(long bytes) {
            settings.maxMemoryPerChild = BuilderSettings.positive("maxMemoryPerChild", bytes);
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
            settings.retries = retries;
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
            settings.heartbeatTimeout = heartbeatTimeout;
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
                settings.allowedClasses.add(Objects.requireNonNull(pattern, "a class pattern is null"));
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
            settings.taskTimeout = taskTimeout;
            return this;
        }

        /**
         * Sets how long a worker may take to start and run its initializer; 60 seconds by default.
         *
         * @param startTimeout the longest a worker may take to get ready, positive
         * @return this builder
         */
        public Builder startTimeout(Duration startTimeout) {
            settings.startTimeout = startTimeout;
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
                settings.jvmOptions.add(InheritedOptions.checkOption(option));
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
            settings.javaExecutable = javaExecutable;
            return this;
        }

        /**
         * Sets where the pool's private queue directory is made; by default /dev/shm, else the temporary directory.
         *
         * @param queueDirectory the directory to make the pool's own directory in, or {@code null} for the default
         * @return this builder
         */
        public Builder queueDirectory(Path queueDirectory) {
            settings.queueDirectory = queueDirectory;
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
            settings.serialization = java.util.Objects.requireNonNull(serialization, "serialization");
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
            settings.idleMode = busySpin ? IdleStrategy.Mode.BUSY_SPIN : IdleStrategy.Mode.BACKOFF;
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
            return new ProcessPool(PoolConfig.of(settings));
        }
    }
}
