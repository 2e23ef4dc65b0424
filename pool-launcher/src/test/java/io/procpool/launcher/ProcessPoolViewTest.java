package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.internal.ExecutorViewContractTest;

/** The ExecutorService view's contract with every task run in a worker JVM. */
class ProcessPoolViewTest extends ExecutorViewContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.builder().processes(workers).jvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }

    @Override
    protected boolean tasksLeaveThisJvm() {
        return true;
    }
}
