package io.procpool.launcher;

import io.procpool.Initializer;
import io.procpool.Serialization;
import io.procpool.internal.PoolNames;
import io.procpool.launcher.internal.core.CoreSettings;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link ProcessPool.Builder} collected, checked once in {@link ProcessPool.Builder#build()}, and
 * the workers' classpath, derived there from the building thread's class loaders; the pool's name is the one it was
 * given or one made up there.
 */
record PoolConfig(
        String name,
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
        Serialization serialization,
        boolean jmx) {
    /** {@return what the core acts on, of these settings} */
    CoreSettings coreSettings() {
        return new CoreSettings(processes, maxTasksPerChild, retries, taskTimeout, heartbeatTimeout, startTimeout,
                idleMode);
    }

    /**
     * Checks what a builder collected and makes the pool's settings of it, for {@link ProcessPool.Builder#build()}:
     * the settings' checks, this JVM's flags, the serialisation's library, the {@code java} and class filter to use,
     * the workers' classpath, and the pool's name, made up if it was given none.
     *
     * @throws IllegalArgumentException for a bad setting, naming it and its value
     * @throws io.procpool.PoolException if this JVM lacks the flags Chronicle needs, or the serialisation's library
     */
    static PoolConfig of(ProcessPool.Builder b) {
        checkSettings(b.processes, b.retries, b.heartbeatTimeout, b.maxTasksPerChild, b.taskTimeout, b.startTimeout);
        ChildJvms.checkParentJvm();
        // Here, not at the first value: a FORY pool without Fory would otherwise start and then fail to link.
        ValueSerializers.requireAvailable(b.serialization);
        Path java = b.javaExecutable != null ? b.javaExecutable : ChildJvms.javaExecutable();
        return new PoolConfig(PoolNames.orMadeUp(b.name), b.processes, b.initializer, b.maxTasksPerChild, b.retries,
                b.taskTimeout, b.heartbeatTimeout, b.startTimeout, List.copyOf(b.jvmOptions), java, b.queueDirectory,
                b.idleMode, ClassFilter.allowing(b.allowedClasses),
                Classpath.forWorkers(Thread.currentThread().getContextClassLoader()), b.serialization, b.jmx);
    }

    /**
     * Checks the settings a builder collected, before anything else is done with them.
     *
     * @throws IllegalArgumentException for a bad setting, naming it and its value
     */
    private static void checkSettings(int processes, int retries, Duration heartbeatTimeout, int maxTasksPerChild,
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
