package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.internal.ExecutorViewContractTest;

/** The ExecutorService view's contract with every task run in a worker JVM. */
class ProcessPoolViewTest extends ExecutorViewContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.create(workers);
    }

    @Override
    protected boolean tasksLeaveThisJvm() {
        return true;
    }
}
