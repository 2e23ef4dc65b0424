package io.procpool.launcher;

import io.procpool.Initializer;
import io.procpool.Serialization;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.runtime.ResidentMemory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ProcessPool.Builder} has been told so far, unchecked, with the defaults it starts from; its builder's
 * own, and read once by {@link PoolConfig#of}, which checks it with {@link #check()}. Apart from the builder so that
 * the pool's public class holds its API, not its bookkeeping.
 */
final class BuilderSettings {
    int processes = Runtime.getRuntime().availableProcessors();
    Initializer initializer;
    /** The workers kept when idle; {@code null} for {@link #processes}, a fixed pool. */
    Integer minProcesses;
    Duration keepAlive = Duration.ofSeconds(60);
    int maxTasksPerChild;
    /** Bytes, or 0 for no limit: {@link ProcessPool.Builder#maxMemoryPerChild} refuses 0 and less as it is set. */
    long maxMemoryPerChild;
    int retries;
    Duration taskTimeout;
    Duration heartbeatTimeout = Duration.ofSeconds(10);
    final List<String> allowedClasses = new ArrayList<>();
    Duration startTimeout = Duration.ofSeconds(60);
    final List<String> jvmOptions = new ArrayList<>();
    Path javaExecutable;
    Path queueDirectory;
    IdleStrategy.Mode idleMode = IdleStrategy.Mode.BACKOFF;
    Serialization serialization = Serialization.KRYO;
    String name;
    boolean jmx;

    /** {@return the workers kept when idle: {@link #processes} unless set} */
    int minProcesses() {
        return minProcesses == null ? processes : minProcesses;
    }

    /**
     * Checks a setting that must be positive as it is set: 0 cannot mean "none" where the default already does.
     *
     * @throws IllegalArgumentException if {@code value} is 0 or less, naming the setting and the value
     */
    static long positive(String setting, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(setting + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * Checks the settings, before anything else is done with them.
     *
     * @throws IllegalArgumentException for a bad setting, naming it and its value
     */
    void check() {
        if (processes < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 process, was asked for " + processes);
        }
        if (minProcesses != null && (minProcesses < 0 || minProcesses > processes)) {
            throw new IllegalArgumentException("minProcesses must be 0 to processes (" + processes + "), was "
                    + minProcesses);
        }
        if (keepAlive == null || keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
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
        if (maxMemoryPerChild > 0 && !ResidentMemory.isAvailable()) {
            throw new IllegalArgumentException("maxMemoryPerChild needs " + ResidentMemory.STATM
                    + " (Linux) to read a worker's resident memory, and this system has none");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
    }
}
