package io.procpool.launcher;

import io.procpool.Initializer;
import io.procpool.Serialization;
import io.procpool.launcher.internal.core.CoreSettings;
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
    /** {@return what the core acts on, of these settings} */
    CoreSettings coreSettings() {
        return new CoreSettings(processes, maxTasksPerChild, retries, taskTimeout, heartbeatTimeout, startTimeout,
                idleMode);
    }

    /**
     * Checks the settings a builder collected, before anything else is done with them.
     *
     * @throws IllegalArgumentException for a bad setting, naming it and its value
     */
    static void checkSettings(int processes, int retries, Duration heartbeatTimeout, int maxTasksPerChild,
                              Duration taskTimeout, Duration startTimeout) {
        if (processes < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 process, was asked for " + processes);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
        }
        if (heartbeatTimeout == null || heartbeatTimeout.toMillis() < 1000) {
            // Workers beat every 200 ms: a shorter limit would kill healthy workers.
            throw new IllegalArgumentException("heartbeatTimeout must be at least 1 second, was "
                    + heartbeatTimeout);
        }
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild must be 0 (no limit) or more, was "
                    + maxTasksPerChild);
        }
        if (taskTimeout != null && (taskTimeout.isNegative() || taskTimeout.isZero())) {
            throw new IllegalArgumentException("taskTimeout must be positive, was " + taskTimeout);
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
    }
}
