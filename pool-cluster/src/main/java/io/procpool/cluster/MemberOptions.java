package io.procpool.cluster;

import java.util.List;

/**
 * What a member was started with (see {@link ClusterMember}).
 *
 * @param clusterName     the cluster to form or join
 * @param host            the address to bind and advertise, or {@code null} for Hazelcast's choice
 * @param port            the port to listen on
 * @param members         other members to join through, {@code host:port}
 * @param workers         how many chunks run at once
 * @param workerProcesses whether tasks run in worker JVMs of the member's own, not on its threads
 * @param taskTimeoutMs   with worker processes, the time limit per task (0: none)
 * @param maxMemoryPerChild with worker processes, the resident bytes above which a worker JVM is replaced after its
 *                        chunk (0: none), as {@code ProcessPool.Builder.maxMemoryPerChild}
 * @param parentPid       the process whose end ends the member (0: none), for members a pool started
 * @param allowedClasses  the classes the member may deserialise, as {@code ClassFilter} patterns (none: any)
 */
record MemberOptions(String clusterName, String host, int port, List<String> members, int workers,
                     boolean workerProcesses, long taskTimeoutMs, long maxMemoryPerChild, long parentPid,
                     List<String> allowedClasses) {
}
