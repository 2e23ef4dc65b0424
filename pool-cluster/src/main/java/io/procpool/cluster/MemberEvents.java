package io.procpool.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster member's lines in its log (through SLF4J, logger {@code io.procpool.cluster}): another member joined or
 * left its cluster, and this member stops. Before them the member prints its ready line; without these, nothing
 * said what became of it after that. Rare events, on Hazelcast's threads and the member's stop hook.
 */
final class MemberEvents implements MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.procpool.cluster");

    private final String cluster;

    MemberEvents(String cluster) {
        this.cluster = cluster;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        LOG.info("cluster {}: member {} joined; {} member(s) now", cluster, event.getMember().getAddress(),
                event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        LOG.info("cluster {}: member {} left; {} member(s) now", cluster, event.getMember().getAddress(),
                event.getMembers().size());
    }

    /**
     * This member is stopping, from its JVM's shutdown hook: a SIGTERM or SIGINT, or the exit that follows its
     * pool's.
     *
     * @param address this member's address
     */
    void stopping(Object address) {
        LOG.info("cluster {}: member {} is stopping (SIGTERM, SIGINT or its pool's exit): it leaves the cluster and "
                + "stops its workers", cluster, address);
    }
}
