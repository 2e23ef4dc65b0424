package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.internal.ExecutorViewContractTest;

/** The ExecutorService view's contract with every task run on a member of a cluster. */
class ClusterPoolViewTest extends ExecutorViewContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ClusterPool.builder().localMembers(workers).workersPerMember(1)
                .memberJvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }

    @Override
    protected boolean tasksLeaveThisJvm() {
        return true;
    }
}
