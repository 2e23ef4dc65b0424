package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.internal.CancellationContractTest;

/** Cancellation with worker JVMs: the workers running cancelled chunks are killed and replaced. */
class ProcessPoolCancellationTest extends CancellationContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.builder().processes(workers).jvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }
}
