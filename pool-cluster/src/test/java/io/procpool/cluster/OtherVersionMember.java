package io.procpool.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;

import java.util.List;

/**
 * A member that says it runs another procpool version: procpool's own set-up but for the version it advertises, as
 * a member left running from an older release would. Arguments: the cluster's name and the port.
 */
public final class OtherVersionMember {
    static final String VERSION = "0.0.0-other";

    private OtherVersionMember() {
    }

    public static void main(String[] args) {
        MemberOptions options = new MemberOptions(args[0], "127.0.0.1", Integer.parseInt(args[1]), List.of(), 1,
                false, 0, 0, 0, List.of());
        Config config = HazelcastSetup.member(options);
        config.getMemberAttributeConfig().setAttribute(HazelcastSetup.VERSION_ATTRIBUTE, VERSION);
        Hazelcast.newHazelcastInstance(config);
        System.out.println(ClusterMember.READY + " (another version)");
    }
}
