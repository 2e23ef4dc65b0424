package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.Serialization;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.PoolCounters;
import io.procpool.internal.PoolNames;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.launcher.internal.core.Conductor;
import io.procpool.launcher.internal.core.CoreSettings;
import io.procpool.worker.internal.runtime.IdleStrategy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The same {@link Pool} on a Hazelcast cluster: chunks of items go to member JVMs ({@link ClusterMember}), which run
 * them on threads or in worker JVMs of their own, and the outcomes come back, with the same semantics as a
 * {@code ProcessPool} (order, laziness, exceptions with their class and remote trace, futures, lifecycle). Functions,
 * items and results are serialised by the pool's own {@link Serialization}; Hazelcast carries the bytes. The pool
 * connects as a Hazelcast client, so it holds no cluster data and needs no port of its own.
 *
 * <pre>
 * Pool pool = ClusterPool.builder().localMembers(2).build();          // 2 member JVMs on this machine, loopback only
 * Pool remote = ClusterPool.builder().clusterName("batch")
 *         .addresses("10.0.0.5:5701", "10.0.0.6:5701").build();      // members started by hand, joined
 * </pre>
 *
 * <p>A member that is lost (killed, crashed, cut off) fails exactly the chunks it held with a
 * {@link io.procpool.WorkerCrashedException} naming it, unless {@link Builder#retries(int)} lets them run again on
 * another member (at least once, not exactly once). Local members that die are replaced. {@link #close()} stops the
 * members the pool started and never one it joined.
 */
public final class ClusterPool extends AbstractPool {
    /** A member has no heartbeat of its own to watch: Hazelcast notices a lost one. */
    private static final Duration NO_HEARTBEAT = Duration.ofSeconds(10);

    /** The workers of the local members, or 0 for a joined cluster, whose size is that of the members in use. */
    private final int localSize;
    private final MemberSlots slots;
    private final ClusterStop stop;
    private final Conductor conductor;
    private final PoolCounters stats;
    private final String description;
    private final Serialization serialization;

    /** Made by {@link ClusterStart} once the pool's client is connected; starts the pool's core. */
    ClusterPool(ClusterSettings settings, MemberSlots slots, ClusterStop stop, PoolCounters stats, String description) {
        super(settings.name());
        this.localSize = settings.localMembers() * settings.workersPerMember();
        this.stop = stop;
        this.stats = stats;
        this.description = description;
        this.serialization = settings.serialization();
        this.slots = slots;
        // The same core as a ProcessPool's: one scheduler and one supervisor; each member is a slot.
        this.conductor = new Conductor(name(), new CoreSettings(0, 0, settings.retries(),
                null, NO_HEARTBEAT, settings.startTimeout(), IdleStrategy.Mode.BACKOFF), slots, stats);
        slots.useConductor(conductor);
        conductor.start();
        // Once the core has stopped, after a shutdown or a terminate, the client and the local members go.
        stop.after(conductor, () -> conductor.broken() != null || terminated, PoolNames.thread(name(), "close"));
    }

    /** Set when the pool was terminated: its local members are killed rather than stopped gently. */
    private volatile boolean terminated;

    /**
     * Starts building a pool.
     *
     * @return a builder with the defaults: no local members, no addresses (one of them must be set), workers per
     * local member = this machine's processors, no retries, Kryo
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int size() {
        return localSize > 0 ? localSize : Math.max(1, slots.workers());
    }

    /** A round trip on loopback costs a few hundred microseconds: a chunk of 10 ms makes that small. */
    @Override
    protected long targetChunkNanos() {
        return 10_000_000;
    }

    @Override
    protected boolean tasksLeaveThisJvm() {
        return true;
    }

    /** Serialises the value as a task's item would be, and drops the bytes. */
    @Override
    protected void checkCrosses(Object value) {
        MachineLocal.toBytes(serialization, value, "the task");
    }

    /** The pool's conductor completes futures and runs their callbacks; blocking there would wait for itself. */
    @Override
    protected void checkMayBlock() {
        if (Thread.currentThread() == conductor.thread()) {
            throw new IllegalStateException("a blocking call on a ClusterPool from its own callback thread could "
                    + "wait for itself forever; use the ...Async variants there");
        }
    }

    @Override
    protected void submit(Call call) {
        PoolException broken = conductor.broken();
        if (broken != null) {
            throw new PoolException(broken.getMessage(), broken);
        }
        if (conductor.isStopping()) {
            throw new IllegalStateException("the pool is shut down and accepts no new work");
        }
        InMemoryFunctions.refuse(call.fn());
        // The function is serialised here, on the caller's thread, once per call; it travels with every chunk.
        byte[] function = MachineLocal.toBytes(serialization, call.fn(), "the function");
        call.onCancel(conductor::cancelled);
        conductor.submit(new ActiveCall(call, call.id(), function));
    }

    @Override
    public void shutdown() {
        conductor.requestShutdown();
    }

    @Override
    public void terminate() {
        terminated = true;
        withdrawMXBean();
        conductor.requestTerminate();
    }

    @Override
    public void join() {
        if (!conductor.isStopping()) {
            throw new IllegalStateException("join() needs shutdown() or terminate() first");
        }
        checkMayBlock();
        stop.await(conductor.thread());
        withdrawMXBean();
    }

    @Override
    protected boolean isShutdown() {
        return conductor.isStopping();
    }

    @Override
    protected boolean isTerminated() {
        return stop.stopped().isDone();
    }

    @Override
    protected boolean awaitTermination(long nanos) throws InterruptedException {
        return awaitStopped(stop.stopped(), nanos);
    }

    /** Chunks handed to a member cannot be told apart from running ones: they are stopped as running ones. */
    @Override
    protected java.util.Set<io.procpool.internal.MapCall> cancelReportingUnstarted(
            List<io.procpool.internal.MapCall> calls) {
        return conductor.cancelReportingUnstarted(calls);
    }

    @Override
    public PoolStats stats() {
        return stats.snapshot();
    }

    @Override
    public String toString() {
        return "ClusterPool[name=" + name() + ", " + description + ", workers=" + size() + "]";
    }

    /**
     * Builds a {@link ClusterPool}: either {@link #localMembers(int) local members} that the pool starts, or the
     * {@link #addresses(String...) addresses} of a running cluster to join.
     */
    public static final class Builder {
        private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

        private int localMembers;
        private int workersPerMember;
        private int retries;
        private Serialization serialization = Serialization.KRYO;
        private String clusterName;
        private List<String> addresses = List.of();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private boolean workerProcesses;
        private Duration taskTimeout;
        private List<String> memberJvmOptions = List.of();
        private final List<String> allowedClasses = new ArrayList<>();
        private String name;
        private boolean jmx;

        private Builder() {
        }

        /**
         * Names the pool, as {@code ProcessPool.builder().name(...)} does: its threads are named after it
         * ({@code procpool-<name>-loop}, its Hazelcast client's {@code hz.procpool-<name>-client-<n>.*}, its local
         * members' watchers), its local members' lines of output start {@code [<name> member <n> pid <pid>]}, and
         * its {@link ClusterPool#name()} and {@code toString()} show it. Without a name the pool makes one up,
         * {@code pool-<n>} (see {@link Pool#name()}).
         *
         * @param name the pool's name: not blank, no white space at either end, no control character and none of
         *             {@code , = : * ? " \ [ ]}, which would break a thread dump, a log prefix or a JMX name
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is {@code null} or not such a name, quoting it
         */
        public Builder name(String name) {
            this.name = PoolNames.check(name);
            return this;
        }

        /**
         * Registers the pool's {@link io.procpool.metrics.PoolMXBean} as {@code io.procpool:type=Pool,name=<name>},
         * as {@code ProcessPool.builder().jmx(true)} does: its figures are the pool's {@link ClusterPool#stats()},
         * its workers the members' workers. It is unregistered when the pool is closed, joined or terminated. Off by
         * default. {@link #build()} refuses a name whose bean another pool of this JVM has registered.
         *
         * @param jmx whether to register the pool's JMX bean
         * @return this builder
         */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /**
         * Starts {@code members} member JVMs on this machine, which form a cluster of their own on loopback only;
         * the pool stops them when it closes, and replaces one that dies.
         *
         * @param members how many, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code members} is less than 1
         */
        public Builder localMembers(int members) {
            this.localMembers = BuilderChecks.atLeast(members, 1, "localMembers");
            return this;
        }

        /**
         * Sets how many chunks each local member runs at once.
         *
         * @param workers at least 1; by default this machine's processors
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is less than 1
         */
        public Builder workersPerMember(int workers) {
            this.workersPerMember = BuilderChecks.atLeast(workers, 1, "workersPerMember");
            return this;
        }

        /**
         * Lets the chunks of a lost member run again on another member, up to {@code retries} times each: at least
         * once, not exactly once, so tasks must be safe to run twice.
         *
         * @param retries at least 0; 0 (the default) fails the lost member's chunks
         * @return this builder
         * @throws IllegalArgumentException if {@code retries} is negative
         */
        public Builder retries(int retries) {
            this.retries = BuilderChecks.atLeast(retries, 0, "retries");
            return this;
        }

        /**
         * Chooses how functions, items and results cross to the members.
         *
         * @param serialization Kryo (the default), Java or Fory; Fory needs the application's own dependency on
         *                      {@code org.apache.fory:fory-core}, on the pool's JVM and on every member's
         * @return this builder
         * @throws NullPointerException if {@code serialization} is null
         */
        public Builder serialization(Serialization serialization) {
            this.serialization = Objects.requireNonNull(serialization, "serialization");
            return this;
        }

        /**
         * Names the running cluster to join (its members' {@code --cluster-name}).
         *
         * @param clusterName the name, not blank
         * @return this builder
         * @throws IllegalArgumentException if the name is blank
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = BuilderChecks.clusterName(clusterName);
            return this;
        }

        /**
         * Joins a running cluster through any of these members.
         *
         * @param addresses {@code host:port} of one or more members
         * @return this builder
         * @throws IllegalArgumentException if an address is not {@code host:port} with a port of 1-65535
         */
        public Builder addresses(String... addresses) {
            this.addresses = BuilderChecks.addresses(addresses);
            return this;
        }

        /**
         * Sets how long to try to reach a running cluster before {@link #build()} fails.
         *
         * @param connectTimeout positive; 10 s by default
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = BuilderChecks.positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Sets how long local members may take, in all, to start, form their cluster and join the pool before
         * {@link #build()} fails.
         *
         * @param startTimeout positive; 60 s by default
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = BuilderChecks.positive(startTimeout, "startTimeout");
            return this;
        }

        /**
         * Makes local members run tasks in worker JVMs of their own (a {@code ProcessPool} inside each member), not
         * on their threads: a task that crashes its JVM, or is stopped at its time limit, then costs a worker JVM,
         * not a member. Members started by hand choose this with {@code --worker-processes}.
         *
         * @param workerProcesses whether local members isolate tasks in processes; {@code false} by default
         * @return this builder
         */
        public Builder workerProcesses(boolean workerProcesses) {
            this.workerProcesses = workerProcesses;
            return this;
        }

        /**
         * Limits each task's time on local members that run {@link #workerProcesses(boolean) worker processes}: a
         * task still running then is stopped (its worker JVM killed) and fails with a
         * {@link io.procpool.TaskTimeoutException}.
         *
         * @param taskTimeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = BuilderChecks.positive(taskTimeout, "taskTimeout");
            return this;
        }

        /**
         * Adds JVM options for local members, such as {@code -Xmx2g}.
         *
         * @param options the options
         * @return this builder
         */
        public Builder memberJvmOptions(String... options) {
            this.memberJvmOptions = List.of(options);
            return this;
        }

        /**
         * Restricts what the pool deserialises, its members' answers, to these classes (plus what procpool itself
         * sends), in {@link java.io.ObjectInputFilter} pattern syntax: {@code com.example.*}, {@code com.example.**}
         * or a class name; anything else is a {@link io.procpool.SerializationException} naming the class. Off by
         * default. Local members get the list too ({@code --allow-classes}), for the functions and items they read,
         * and so do their worker JVMs; the members of a joined cluster keep their own. Each call adds to the
         * patterns of the calls before it.
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
         * Starts the local members, or connects to the running cluster, and returns the pool once its members are
         * in use, their workers counted in {@link ClusterPool#size()} and {@code stats().workersStarted()}: every
         * local member, within the start timeout; or, joining a running cluster, every member of this procpool
         * version that the pool saw as it connected, at least one.
         *
         * @return the pool
         * @throws IllegalArgumentException if a pattern given to {@link #allowClasses} is not a class pattern, or
         *                                  with {@code jmx(true)}, if another pool's bean has the name
         * @throws IllegalStateException    if neither or both of local members and addresses were set, or a task
         *                                  timeout was set without worker processes
         * @throws PoolException            if the local members did not all start and join within the start timeout
         *                                  (naming how many did; those started are stopped), no member answered at
         *                                  the addresses within the connect timeout, the cluster has another name,
         *                                  or its members run another procpool version; or, before any of that, if
         *                                  {@link Serialization#FORY} was chosen and Apache Fory is not on this
         *                                  JVM's class path (the message names the dependency to add)
         */
        public ClusterPool build() {
            String named = PoolNames.orMadeUp(name);
            if (jmx) {
                io.procpool.internal.PoolBeans.checkFree(named); // before any member starts
            }
            ClusterPool pool = ClusterStart.start(new ClusterSettings(named, localMembers,
                    workersPerMember > 0 ? workersPerMember : Runtime.getRuntime().availableProcessors(), retries,
                    serialization, clusterName, addresses, connectTimeout, startTimeout, workerProcesses, taskTimeout,
                    memberJvmOptions, List.copyOf(allowedClasses)));
            if (jmx) {
                pool.exposeMXBeanOrTerminate();
            }
            return pool;
        }
    }

    /** {@return the process ids of the members the pool uses now} For tests. */
    List<Long> memberPids() {
        return slots.memberPids();
    }

    /** Waits until the pool uses {@code members} members, as after a lost local member was replaced. For tests. */
    void awaitMembers(int members, Duration timeout) {
        int joined = slots.awaitMembers(members, System.nanoTime() + timeout.toNanos());
        if (joined < members) {
            throw new PoolException("the pool uses " + joined + " member(s), " + members + " wanted, after "
                    + timeout.toMillis() + " ms");
        }
    }
}
