package io.procpool.cluster;

import io.procpool.Serialization;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link ClusterPool.Builder} collected, checked by {@link BuilderChecks}, for {@link ClusterStart} to start
 * or join the members and for the pool to set up its core. Kept apart from the builder so that the builder holds its
 * public setters and the rest reads these values without reaching into it.
 *
 * @param name             the pool's name, given or made up
 * @param localMembers     local member JVMs to start, or 0 to join a running cluster
 * @param workersPerMember chunks each local member runs at once, resolved (never 0)
 * @param retries          how often a lost member's chunk may run again
 * @param serialization    how functions, items and results cross
 * @param clusterName      the cluster's name, or {@code null} for the default
 * @param addresses        members of a running cluster to join through, or none
 * @param connectTimeout   how long to try to reach a running cluster
 * @param startTimeout     how long local members may take, in all, to start and join
 * @param workerProcesses  whether local members run tasks in worker JVMs of their own
 * @param taskTimeout      the time limit of a task on local members' worker JVMs, or {@code null} for none
 * @param memberJvmOptions JVM options for local members
 * @param allowedClasses   the classes the pool and its local members may deserialise (none: any)
 */
record ClusterSettings(String name, int localMembers, int workersPerMember, int retries, Serialization serialization,
                       String clusterName, List<String> addresses, Duration connectTimeout, Duration startTimeout,
                       boolean workerProcesses, Duration taskTimeout, List<String> memberJvmOptions,
                       List<String> allowedClasses) {
}
