package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.internal.CancellationContractTest;

/** Cancellation on members: queued chunks are dropped there, running ones interrupted on the member's thread. */
class ClusterPoolCancellationTest extends CancellationContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ClusterPool.builder().localMembers(workers).workersPerMember(1)
                .memberJvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }
}
