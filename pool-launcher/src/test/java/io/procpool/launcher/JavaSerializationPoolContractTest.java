package io.procpool.launcher;

import io.procpool.Pool;
import io.procpool.PoolContractTest;
import io.procpool.Serialization;

/** The whole Pool contract again, with everything crossing through the JDK's own serialisation. */
class JavaSerializationPoolContractTest extends PoolContractTest {
    @Override
    protected Pool newPool(int workers) {
        return ProcessPool.builder().processes(workers).serialization(Serialization.JAVA)
                .jvmOptions(ShortLivedJvms.QUICK_COMPILER_ONLY).build();
    }
}
