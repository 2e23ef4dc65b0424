package io.procpool.benchmarks;

import io.procpool.worker.JvmFlags;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchFlagsTest {
    @Test
    void shouldMatchTheFlagsTheRootPomDefines() {
        // JvmFlags reads pool-worker's jvm.args, which Maven fills in from procpool.jvmFlags.
        assertEquals(JvmFlags.required(), BenchFlags.ALL,
                "BenchFlags has drifted from procpool.jvmFlags in the root pom; copy the flags over");
    }
}
