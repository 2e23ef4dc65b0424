package io.procpool.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.Serialization;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final LocalMembers local;
    private final int localSize;
    private final HazelcastInstance client;
    private final IExecutorService executor;
    private final Dispatcher dispatcher;
    private final ExecutorService events;
    private final Thread eventThread;
    private final PoolCounters stats;
    private final String description;
    private final Serialization serialization;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Object lifecycle = new Object();
    @GuardedBy("lifecycle")
    private boolean accepting = true;
    @GuardedBy("lifecycle")
    private boolean stopping;

    private ClusterPool(Builder builder, LocalMembers local, HazelcastInstance client, ExecutorService events,
                        Thread eventThread, PoolCounters stats, String description) {
        this.local = local;
        this.localSize = builder.localMembers * builder.workersPerMember();
        this.client = client;
        this.executor = client.getExecutorService(HazelcastSetup.EXECUTOR);
        this.events = events;
        this.eventThread = eventThread;
        this.stats = stats;
        this.description = description;
        this.serialization = builder.serialization;
        this.dispatcher = new Dispatcher(executor, builder.serialization, builder.retries, stats, events,
                this::finishShutdownIfIdle);
    }

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
        return local != null ? localSize : Math.max(1, dispatcher.workers());
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
        ValueSerializers.toBytes(serialization, value, "the task");
    }

    /** The pool's event thread runs callbacks; blocking there would wait for itself. */
    @Override
    protected void checkMayBlock() {
        if (Thread.currentThread() == eventThread) {
            throw new IllegalStateException("a blocking call on a ClusterPool from its own callback thread could "
                    + "wait for itself forever; use the ...Async variants there");
        }
    }

    @Override
    protected void submit(Call call) {
        synchronized (lifecycle) {
            if (!accepting) {
                throw new IllegalStateException("the pool is shut down and accepts no new work");
            }
            dispatcher.add(call);
        }
        call.onRoom(dispatcher::dispatch);
        call.onCancel(() -> dispatcher.cancelled(call));
        dispatcher.dispatch();
    }

    @Override
    public void shutdown() {
        synchronized (lifecycle) {
            if (!accepting) {
                return;
            }
            accepting = false;
        }
        dispatcher.stopReadingLazyCalls();
        dispatcher.dispatch();
        finishShutdownIfIdle();
    }

    /** Once a shut-down pool has nothing left to run, its client and members stop, off the caller's thread. */
    private void finishShutdownIfIdle() {
        synchronized (lifecycle) {
            if (accepting || stopping || !dispatcher.isIdle()) {
                return;
            }
            stopping = true;
        }
        Thread closer = new Thread(() -> stopEverything(false), "procpool-cluster-close");
        closer.setDaemon(true);
        closer.start();
    }

    @Override
    public void terminate() {
        synchronized (lifecycle) {
            accepting = false;
            if (stopping) {
                return;
            }
            stopping = true;
        }
        dispatcher.terminate(new PoolException("the pool was terminated"));
        stopEverything(true);
    }

    /**
     * Disconnects, then stops the local members: gently after a shutdown, killed after a terminate, since tasks on
     * a member's threads cannot be stopped otherwise. The client goes first, so that it does not see its members go
     * and try to reconnect.
     */
    private void stopEverything(boolean kill) {
        try {
            client.getLifecycleService().terminate();
        } finally {
            try {
                if (local != null && kill) {
                    local.killAll();
                } else if (local != null) {
                    local.close();
                }
            } finally {
                events.shutdown();
                stopped.complete(null);
            }
        }
    }

    @Override
    public void join() {
        synchronized (lifecycle) {
            if (accepting) {
                throw new IllegalStateException("join() needs shutdown() or terminate() first");
            }
        }
        checkMayBlock();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    stopped.get();
                    events.awaitTermination(5, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected boolean isShutdown() {
        synchronized (lifecycle) {
            return !accepting;
        }
    }

    @Override
    protected boolean isTerminated() {
        return stopped.isDone();
    }

    @Override
    protected boolean awaitTermination(long nanos) throws InterruptedException {
        return awaitStopped(stopped, nanos);
    }

    @Override
    public PoolStats stats() {
        return stats.snapshot();
    }

    @Override
    public String toString() {
        return "ClusterPool[" + description + ", workers=" + size() + "]";
    }

    /** Members come and go: those of this procpool version join the dispatcher; a lost one fails or resends. */
    private final class Membership implements InitialMembershipListener {
        /**
         * The members there when the pool connected go to the dispatcher as one task, not one each: {@code build()}
         * returns once enough members are in use, and must then find all of these counted, not only the first.
         */
        @Override
        public void init(InitialMembershipEvent event) {
            List<Member> members = List.copyOf(event.getMembers());
            events.execute(() -> dispatcher.membersAdded(members));
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            List<Member> member = List.of(event.getMember());
            events.execute(() -> dispatcher.membersAdded(member));
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            UUID uuid = event.getMember().getUuid();
            events.execute(() -> dispatcher.memberLost(uuid, "it left the cluster"));
        }
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

        private Builder() {
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
            if (members < 1) {
                throw new IllegalArgumentException("localMembers must be at least 1, was " + members);
            }
            this.localMembers = members;
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
            if (workers < 1) {
                throw new IllegalArgumentException("workersPerMember must be at least 1, was " + workers);
            }
            this.workersPerMember = workers;
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
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be at least 0, was " + retries);
            }
            this.retries = retries;
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
            if (clusterName == null || clusterName.isBlank()) {
                throw new IllegalArgumentException("clusterName must not be blank, was '" + clusterName + "'");
            }
            this.clusterName = clusterName;
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
            List<String> checked = new ArrayList<>();
            for (String address : addresses) {
                checked.add(checkAddress(address));
            }
            this.addresses = List.copyOf(checked);
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
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
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
            this.startTimeout = positive(startTimeout, "startTimeout");
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
            this.taskTimeout = positive(taskTimeout, "taskTimeout");
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

        private int workersPerMember() {
            return workersPerMember > 0 ? workersPerMember : Runtime.getRuntime().availableProcessors();
        }

        /**
         * Starts the local members, or connects to the running cluster, and returns the pool once its members are
         * in use, their workers counted in {@link ClusterPool#size()} and {@code stats().workersStarted()}: every
         * local member, within the start timeout; or, joining a running cluster, every member of this procpool
         * version that the pool saw as it connected, at least one.
         *
         * @return the pool
         * @throws IllegalStateException if neither or both of local members and addresses were set, or a task
         *                               timeout was set without worker processes
         * @throws PoolException         if the local members did not all start and join within the start timeout
         *                               (naming how many did; those started are stopped), no member answered at the
         *                               addresses within the connect timeout, the cluster has another name, or its
         *                               members run another procpool version; or, before any of that, if
         *                               {@link Serialization#FORY} was chosen and Apache Fory is not on this JVM's
         *                               class path (the message names the dependency to add)
         */
        public ClusterPool build() {
            if ((localMembers > 0) == !addresses.isEmpty()) {
                throw new IllegalStateException("set either localMembers(n) to start members, or addresses(...) "
                        + "to join a running cluster" + (localMembers > 0 ? ", not both" : ""));
            }
            if (taskTimeout != null && (!workerProcesses || localMembers == 0)) {
                throw new IllegalStateException("taskTimeout needs local members with workerProcesses(true): a task "
                        + "on a member's thread cannot be stopped");
            }
            // Before any member starts: local members get this JVM's class path, so they would lack Fory too.
            ValueSerializers.requireAvailable(serialization);
            HazelcastSetup.quietLogging();
            int number = POOL_NUMBER.incrementAndGet();
            PoolCounters stats = new PoolCounters();
            // One thread runs outcomes, member events and the callbacks on the pool's futures, in order.
            AtomicReference<Thread> eventThread = new AtomicReference<>();
            ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "procpool-cluster-" + number + "-events");
                thread.setDaemon(true);
                eventThread.set(thread);
                return thread;
            });
            events.execute(() -> { }); // makes the thread now, so that the pool knows it
            ClusterPool[] pool = new ClusterPool[1];
            LocalMembers local = null;
            long deadline = 0;
            String name = clusterName;
            List<String> joinAt = addresses;
            if (localMembers > 0) {
                name = clusterName != null ? clusterName
                        : "procpool-" + ProcessHandle.current().pid() + "-" + number + "-" + UUID.randomUUID();
                local = new LocalMembers(name, localMembers, workersPerMember(), workerProcesses,
                        taskTimeout == null ? 0 : taskTimeout.toMillis(), memberJvmOptions,
                        member -> events.execute(() -> {
                            if (pool[0] != null) {
                                pool[0].dispatcher.localMemberExited(member);
                            }
                        }));
                // One deadline for the members' start, the client's connection and the counting of every member.
                deadline = System.nanoTime() + startTimeout.toNanos();
                local.startAll();
                try {
                    local.awaitReady(deadline, startTimeout);
                } catch (RuntimeException e) {
                    local.killAll();
                    events.shutdown();
                    throw e;
                }
                joinAt = local.addresses();
            } else if (name == null) {
                name = "procpool";
            }
            ClientConfig config = HazelcastSetup.client(name, joinAt,
                    local != null ? left(deadline) : connectTimeout);
            config.setInstanceName("procpool-cluster-pool-" + number);
            HazelcastInstance client;
            try {
                client = HazelcastClient.newHazelcastClient(config);
            } catch (RuntimeException e) {
                if (local != null) {
                    local.killAll();
                }
                events.shutdown();
                throw new PoolException("could not connect to a cluster named '" + name + "' at " + joinAt
                        + " within " + (localMembers > 0 ? startTimeout : connectTimeout).toMillis()
                        + " ms: no member answered there, or the members run with another --cluster-name (" + e
                        + ")", e);
            }
            String description = local != null ? localMembers + " local members of " + workersPerMember()
                    + " workers" : "cluster '" + name + "' at " + joinAt;
            pool[0] = new ClusterPool(this, local, client, events, eventThread.get(), stats, description);
            if (local != null) {
                pool[0].start(localMembers, deadline, startTimeout);
            } else {
                // Joining a cluster: at least one member, and every member the client saw as it connected.
                pool[0].start(1, System.nanoTime() + connectTimeout.toNanos(), connectTimeout);
            }
            return pool[0];
        }

        /** {@return the time left until {@code deadline}, at least a millisecond: Hazelcast takes 0 as forever} */
        private static Duration left(long deadline) {
            return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
        }

        private static Duration positive(Duration duration, String what) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + duration);
            }
            return duration;
        }

        private static String checkAddress(String address) {
            int colon = address == null ? -1 : address.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("an address must be host:port, was '" + address + "'");
            }
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("an address must be host:port with a port of 1-65535, was '"
                        + address + "'");
            }
            return address;
        }
    }

    /**
     * Listens to the cluster and waits until {@code members} members of this procpool version are in use and their
     * workers counted: {@link #size()} and {@code stats().workersStarted()} are right as {@code build()} returns.
     *
     * @throws PoolException if they are not within the deadline, naming how many are and members of another
     *                       version; the pool is terminated then, which stops the members it started
     */
    private void start(int members, long deadlineNanos, Duration timeout) {
        client.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED) {
                events.execute(() -> dispatcher.disconnected());
            }
        });
        // Hazelcast calls init() here, before this returns, when the client already knows the cluster's members.
        client.getCluster().addMembershipListener(new Membership());
        try {
            int joined = dispatcher.awaitMembers(members, deadlineNanos);
            if (joined < members) {
                List<String> refused = dispatcher.refused();
                throw new PoolException((local != null
                        ? "only " + joined + " of " + members + " local members joined the pool within "
                        : "the cluster has " + joined + " usable member(s), " + members + " needed, after ")
                        + timeout.toMillis() + " ms" + (refused.isEmpty() ? "" : "; refused: " + refused));
            }
        } catch (RuntimeException e) {
            terminate();
            throw e;
        }
    }

    /** {@return the process ids of the members the pool uses now} For tests. */
    List<Long> memberPids() {
        return Arrays.asList(dispatcher.memberPids());
    }

    /** Waits until the pool uses {@code members} members, as after a lost local member was replaced. For tests. */
    void awaitMembers(int members, Duration timeout) {
        int joined = dispatcher.awaitMembers(members, System.nanoTime() + timeout.toNanos());
        if (joined < members) {
            throw new PoolException("the pool uses " + joined + " member(s), " + members + " wanted, after "
                    + timeout.toMillis() + " ms");
        }
    }
}
