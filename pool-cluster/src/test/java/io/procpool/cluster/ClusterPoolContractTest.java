package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.PoolContractTest;

/**
 * The whole Pool contract again, on a cluster of member JVMs that the pool starts on loopback: one member per
 * worker, each running chunks on one thread, so that {@code newPool(2)} is {@code localMembers(2)}.
 */
class ClusterPoolContractTest extends PoolContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ClusterPool.builder().localMembers(workers).workersPerMember(1).build();
    }
}
