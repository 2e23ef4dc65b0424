package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.PoolContractTest;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole Pool contract again, on a cluster of member JVMs that the pool starts on loopback: one member per
 * worker, each running chunks on one thread, so that {@code newPool(2)} is {@code localMembers(2)}. Each pool the
 * contract builds is also a check that {@code build()} returns with every local member joined and counted.
 */
class ClusterPoolContractTest extends PoolContractTest {
    @Override
    protected Pool newPool(int workers) {
        ClusterPool pool = ClusterPool.builder().localMembers(workers).workersPerMember(1)
                .memberJvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
        // Read at once, with no wait, as a program would right after build().
        int size = pool.size();
        long started = pool.stats().workersStarted();
        int inUse = pool.memberPids().size();
        if (size != workers || started != workers || inUse != workers) {
            pool.terminate();
            fail("build() returned before every local member was counted: size() " + size + ", workersStarted "
                    + started + ", members in use " + inUse + ", " + workers + " of each expected");
        }
        return pool;
    }
}
