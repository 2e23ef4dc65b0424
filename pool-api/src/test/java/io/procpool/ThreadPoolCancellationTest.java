package io.procpool;

import io.procpool.internal.CancellationContractTest;

/** Cancellation on threads of this JVM: a running task is interrupted. */
class ThreadPoolCancellationTest extends CancellationContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ThreadPool.create(workers);
    }
}
