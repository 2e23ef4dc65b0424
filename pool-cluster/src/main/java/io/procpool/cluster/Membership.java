package io.procpool.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.MembershipEvent;

import java.util.List;

/**
 * A pool's listener to its cluster's membership, on Hazelcast's threads: members of this procpool version become
 * slots of the core ({@link MemberSlots} checks the version), and a member that left ends its slot. A class of its
 * own, not inside {@link ClusterPool}, since it needs nothing of the pool but its slots.
 */
final class Membership implements InitialMembershipListener {
    private final MemberSlots slots;

    Membership(MemberSlots slots) {
        this.slots = slots;
    }

    /**
     * The members there when the pool connected are added as one batch, not one each: {@code build()} returns once
     * enough members are in use, and must then find all of these counted, not only the first.
     */
    @Override
    public void init(InitialMembershipEvent event) {
        slots.membersAdded(List.copyOf(event.getMembers()));
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        slots.membersAdded(List.of(event.getMember()));
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        slots.memberLost(event.getMember().getUuid(), "it left the cluster");
    }
}
