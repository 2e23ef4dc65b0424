package io.procpool;

import io.procpool.internal.ExecutorViewContractTest;

/** The ExecutorService view's contract on threads of this JVM. */
class ThreadPoolViewTest extends ExecutorViewContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ThreadPool.create(workers);
    }

    @Override
    protected boolean tasksLeaveThisJvm() {
        return false;
    }
}
