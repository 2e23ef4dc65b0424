package io.procpool.cluster;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.Conductor;
import io.procpool.launcher.internal.core.SlotEnd;
import io.procpool.launcher.internal.core.SlotFactory;
import io.procpool.launcher.internal.core.SlotMaker;
import io.procpool.launcher.internal.core.WorkerSlot;
import io.procpool.worker.internal.serial.ClassFilter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A cluster pool's slots, one per member in use: made as members of this procpool version join (those there when
 * the pool connected in one batch), ended as they leave or their process exits. Members come by themselves, so the
 * core's request for a replacement starts nothing: a local member that died is restarted by {@link LocalMembers},
 * and joins again as a new member. Membership callbacks come on Hazelcast's threads; slots are made on the
 * conductor's.
 */
final class MemberSlots implements SlotFactory {
    private final IExecutorService executor;
    private final Serialization serialization;
    private final ClassFilter classFilter;
    private final PoolCounters counters;
    private final Map<UUID, MemberChannel> inUse = new ConcurrentHashMap<>();
    private final Set<UUID> seen = ConcurrentHashMap.newKeySet();
    /** Members seen that run another procpool version, for the error when no member is usable. */
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private volatile Conductor conductor;
    @GuardedBy("this")
    private int members;
    @GuardedBy("this")
    private int workers;

    MemberSlots(IExecutorService executor, Serialization serialization, ClassFilter classFilter,
                PoolCounters counters) {
        this.executor = executor;
        this.serialization = serialization;
        this.classFilter = classFilter;
        this.counters = counters;
    }

    /** Gives the slots their conductor, before any member is added. */
    void useConductor(Conductor conductor) {
        this.conductor = conductor;
    }

    /** Members come by themselves: nothing to start in the slot of one that left. */
    @Override
    public WorkerSlot start(int index, Consumer<SlotEnd> onEnd) {
        return null;
    }

    @Override
    public void ended(WorkerSlot slot, boolean normally) {
        MemberChannel channel = (MemberChannel) slot.channel();
        if (inUse.remove(channel.member().getUuid(), channel)) {
            synchronized (this) {
                members--;
                workers -= channel.workers();
                notifyAll();
            }
        }
    }

    @Override
    public void checkResources() {
    }

    @Override
    public void close() {
    }

    /**
     * Members joined, or were there when the pool connected: those of this procpool version become slots, all in
     * one turn of the conductor, and are counted only then, so that whoever waits for members (a pool's
     * {@code build()}) never finds some of them in use and the others not yet.
     */
    void membersAdded(Collection<Member> joined) {
        List<SlotMaker> makers = new ArrayList<>();
        int[] added = new int[2];
        for (Member member : joined) {
            if (!seen.add(member.getUuid())) {
                continue;
            }
            String version = member.getAttribute(HazelcastSetup.VERSION_ATTRIBUTE);
            if (!HazelcastSetup.VERSION.equals(version)) {
                refused.add("member " + MemberChannel.address(member) + " runs procpool " + version
                        + ", this pool runs " + HazelcastSetup.VERSION + ": both sides must run the same version");
                continue;
            }
            MemberChannel channel = new MemberChannel(member, executor, serialization, classFilter, counters,
                    () -> conductor.wake());
            makers.add((index, onEnd) -> {
                inUse.put(member.getUuid(), channel);
                added[0]++;
                added[1] += channel.workers();
                return channel.bind(index, onEnd);
            });
        }
        conductor.addSlots(makers, () -> {
            synchronized (this) {
                members += added[0];
                workers += added[1];
                notifyAll();
            }
        });
    }

    /** A member left the cluster, or Hazelcast lost it. */
    void memberLost(UUID uuid, String why) {
        MemberChannel channel = inUse.get(uuid);
        if (channel != null) {
            channel.lost(why);
        }
    }

    /** A local member's process exited: the chunks it held are lost now, before the cluster notices. */
    void localMemberExited(LocalMember member) {
        for (MemberChannel channel : inUse.values()) {
            if (channel.port() == member.port()) {
                channel.lost("its process exited with code " + member.exited().getNow(-1)
                        + "; its last lines of standard error: " + member.lastErrorLines());
            }
        }
    }

    /** The client lost every connection: what is in flight is lost with its members. */
    void disconnected() {
        inUse.values().forEach(channel -> channel.lost("the pool lost its connection to the cluster"));
    }

    /**
     * Waits until {@code count} members of this version are in use, or the deadline.
     *
     * @return how many are in use then
     */
    synchronized int awaitMembers(int count, long deadlineNanos) {
        while (members < count) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolException("interrupted while waiting for the cluster's members", e);
            }
        }
        return members;
    }

    /** @return the workers of the members in use */
    synchronized int workers() {
        return workers;
    }

    /** @return the process ids of the members in use */
    List<Long> memberPids() {
        List<Long> pids = new ArrayList<>();
        inUse.values().forEach(channel -> pids.add(channel.pid()));
        return pids;
    }

    /** @return why members were refused */
    List<String> refused() {
        return List.copyOf(refused);
    }
}
