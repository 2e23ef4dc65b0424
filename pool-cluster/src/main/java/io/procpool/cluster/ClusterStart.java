package io.procpool.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.procpool.PoolException;
import io.procpool.internal.PoolCounters;
import io.procpool.internal.PoolNames;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a {@link ClusterPool} comes to be, for {@link ClusterPool.Builder#build()}: it starts the local members or
 * finds the running cluster, connects the pool's Hazelcast client, makes the pool, and waits until its members are in
 * use and counted. This runs once per pool and fails in bounded time, cleaning up what it started; it lives apart from
 * the pool, whose own source is what runs while the pool is in use.
 */
final class ClusterStart {
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private ClusterStart() {
    }

    /**
     * Starts or joins the members and returns the pool once its members are in use, as
     * {@link ClusterPool.Builder#build()} documents.
     *
     * @param settings what the builder collected
     * @return the pool, its members in use and counted
     */
    static ClusterPool start(ClusterSettings settings) {
        BuilderChecks.settings(settings);
        ClassFilter classFilter = BuilderChecks.classFilter(settings.allowedClasses());
        // Before any member starts: local members get this JVM's class path, so they would lack Fory too.
        ValueSerializers.requireAvailable(settings.serialization());
        HazelcastSetup.quietLogging();
        int number = POOL_NUMBER.incrementAndGet();
        PoolCounters stats = new PoolCounters();
        // Set once the pool exists: a local member that exits before then is only replaced.
        AtomicReference<MemberSlots> inUse = new AtomicReference<>();
        LocalMembers local = null;
        long deadline = 0;
        String name = settings.clusterName();
        List<String> joinAt = settings.addresses();
        Duration startTimeout = settings.startTimeout();
        if (settings.localMembers() > 0) {
            name = name != null ? name
                    : "procpool-" + ProcessHandle.current().pid() + "-" + number + "-" + UUID.randomUUID();
            local = new LocalMembers(settings.name(), name, settings.localMembers(), settings.workersPerMember(),
                    settings.workerProcesses(), settings.taskTimeout() == null ? 0 : settings.taskTimeout().toMillis(),
                    settings.memberJvmOptions(), settings.allowedClasses(),
                    member -> {
                        MemberSlots slots = inUse.get();
                        if (slots != null) {
                            slots.localMemberExited(member);
                        }
                    });
            // One deadline for the members' start, the client's connection and the counting of every member.
            deadline = System.nanoTime() + startTimeout.toNanos();
            local.startAll();
            try {
                local.awaitReady(deadline, startTimeout);
            } catch (RuntimeException e) {
                local.killAll();
                throw e;
            }
            joinAt = local.addresses();
        } else if (name == null) {
            name = "procpool";
        }
        HazelcastInstance client = connect(settings, local, name, joinAt, deadline, number);
        String description = local != null ? settings.localMembers() + " local members of "
                + settings.workersPerMember() + " workers" : "cluster '" + name + "' at " + joinAt;
        MemberSlots slots = new MemberSlots(client.getExecutorService(HazelcastSetup.EXECUTOR),
                settings.serialization(), classFilter, stats);
        ClusterPool pool = new ClusterPool(settings, slots, new ClusterStop(client, local), stats, description);
        inUse.set(slots);
        if (local != null) {
            awaitMembers(pool, client, slots, true, settings.localMembers(), deadline, startTimeout);
        } else {
            // Joining a cluster: at least one member, and every member the client saw as it connected.
            Duration connectTimeout = settings.connectTimeout();
            awaitMembers(pool, client, slots, false, 1, System.nanoTime() + connectTimeout.toNanos(),
                    connectTimeout);
        }
        return pool;
    }

    /**
     * Connects the pool's client to the cluster.
     *
     * @throws PoolException if no member answered in time, or the members run with another cluster name; the local
     *                       members, if any, are killed then
     */
    private static HazelcastInstance connect(ClusterSettings settings, LocalMembers local, String name,
                                             List<String> joinAt, long deadline, int number) {
        ClientConfig config = HazelcastSetup.client(name, joinAt,
                local != null ? left(deadline) : settings.connectTimeout());
        // Hazelcast names the client's threads after it; two pools may have one name, but not one instance name.
        config.setInstanceName(PoolNames.thread(settings.name(), "client-" + number));
        try {
            return HazelcastClient.newHazelcastClient(config);
        } catch (RuntimeException e) {
            if (local != null) {
                local.killAll();
            }
            throw new PoolException("could not connect to a cluster named '" + name + "' at " + joinAt
                    + " within " + (local != null ? settings.startTimeout() : settings.connectTimeout()).toMillis()
                    + " ms: no member answered there, or the members run with another --cluster-name (" + e
                    + ")", e);
        }
    }

    /** {@return the time left until {@code deadline}, at least a millisecond: Hazelcast takes 0 as forever} */
    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
    }

    /**
     * Listens to the cluster and waits until {@code members} members of this procpool version are in use and their
     * workers counted: the pool's {@code size()} and {@code stats().workersStarted()} are right as {@code build()}
     * returns.
     *
     * @throws PoolException if they are not within the deadline, naming how many are and members of another
     *                       version; the pool is terminated then, which stops the members it started
     */
    private static void awaitMembers(ClusterPool pool, HazelcastInstance client, MemberSlots slots, boolean local,
                                     int members, long deadlineNanos, Duration timeout) {
        client.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED) {
                slots.disconnected();
            }
        });
        // Hazelcast calls init() here, before this returns, when the client already knows the cluster's members.
        client.getCluster().addMembershipListener(new Membership(slots));
        try {
            int joined = slots.awaitMembers(members, deadlineNanos);
            if (joined < members) {
                List<String> refused = slots.refused();
                throw new PoolException((local
                        ? "only " + joined + " of " + members + " local members joined the pool within "
                        : "the cluster has " + joined + " usable member(s), " + members + " needed, after ")
                        + timeout.toMillis() + " ms" + (refused.isEmpty() ? "" : "; refused: " + refused));
            }
        } catch (RuntimeException e) {
            pool.terminate();
            throw e;
        }
    }
}
