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
 * given or one made up there; and the loader the parent rebuilds values through, which sees the building thread's
 * classes and those of scripts whose functions the pool sent by value.
 */
record PoolConfig(
        String name,
        int processes,
        int minProcesses,
        Duration keepAlive,
        Initializer initializer,
        int maxTasksPerChild,
        long maxMemoryPerChild,
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
        ResultClassLoader resultLoader,
        boolean jmx) {
    /** {@return what the core acts on, of these settings} */
    CoreSettings coreSettings() {
        return new CoreSettings(processes, maxTasksPerChild, retries, taskTimeout, heartbeatTimeout, startTimeout,
                idleMode, minProcesses, keepAlive);
    }

    /**
     * Checks what a builder collected and makes the pool's settings of it, for {@link ProcessPool.Builder#build()}:
     * the settings' checks, this JVM's flags, the serialisation's library, the {@code java} and class filter to use,
     * the workers' classpath, and the pool's name, made up if it was given none.
     *
     * @throws IllegalArgumentException for a bad setting, naming it and its value
     * @throws io.procpool.PoolException if this JVM lacks the flags Chronicle needs, or the serialisation's library
     */
    static PoolConfig of(BuilderSettings b) {
        b.check();
        ChildJvms.checkParentJvm();
        // Here, not at the first value: a FORY pool without Fory would otherwise start and then fail to link.
        ValueSerializers.requireAvailable(b.serialization);
        Path java = b.javaExecutable != null ? b.javaExecutable : ChildJvms.javaExecutable();
        return new PoolConfig(PoolNames.orMadeUp(b.name), b.processes, b.minProcesses(), b.keepAlive,
                b.initializer, b.maxTasksPerChild,
                b.maxMemoryPerChild, b.retries,
                b.taskTimeout, b.heartbeatTimeout, b.startTimeout, List.copyOf(b.jvmOptions), java, b.queueDirectory,
                b.idleMode, ClassFilter.allowing(b.allowedClasses),
                Classpath.forWorkers(Thread.currentThread().getContextClassLoader()), b.serialization,
                new ResultClassLoader(Thread.currentThread().getContextClassLoader()), b.jmx);
    }
}
