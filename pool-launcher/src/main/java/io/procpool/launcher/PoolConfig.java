package io.procpool.launcher;

import io.procpool.Initializer;
import io.procpool.Serialization;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.serial.ClassFilter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link ProcessPool.Builder} collected, checked once in {@link ProcessPool.Builder#build()}, and
 * the workers' classpath, derived there from the building thread's class loaders.
 */
record PoolConfig(
        int processes,
        Initializer initializer,
        int maxTasksPerChild,
        int retries,
        Duration taskTimeout,
        Duration heartbeatTimeout,
        Duration startTimeout,
        List<String> jvmOptions,
        Path javaExecutable,
        Path queueRoot,
        IdleStrategy.Mode idleMode,
        ClassFilter classFilter,
        String workerClasspath,
        Serialization serialization) {
}
