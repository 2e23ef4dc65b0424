package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.PoolContractTest;
import io.procpool.Serialization;

/** The whole Pool contract again, with every function, item, result and exception crossing as Fory writes it. */
class ForyPoolContractTest extends PoolContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.builder().processes(workers).serialization(Serialization.FORY)
                .jvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }
}
