package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.PoolContractTest;

/** The whole Pool contract again, with every task run in a worker JVM. */
class ProcessPoolContractTest extends PoolContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.create(workers);
    }
}
