package io.procpool.benchmarks;

import io.procpool.Pool;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A pool of {@value #WORKERS} workers, started once per trial so that its start-up (a JVM per worker) is not
 * measured, and shared by the benchmark's threads. The {@code kind} parameter runs every benchmark that uses it on
 * both implementations of {@link Pool}, so the cost of the process boundary always appears beside the in-process
 * baseline.
 *
 * <ul>
 *   <li>{@code process}: {@link ProcessPool} with default settings, the back-off idle strategy included.</li>
 *   <li>{@code thread}: {@link ThreadPool}, the same contract with nothing serialised.</li>
 *   <li>{@code process-spin}: not run by default; select it with {@code -p kind=process-spin}. A
 *       {@link ProcessPool} that busy-spins for the lowest latency; it needs a core per polling thread (the
 *       parent's loop and each worker), more than a two-core machine has.</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class PoolState {
    /** Two workers: as many as the smallest machine the suite is meant for has cores. */
    public static final int WORKERS = 2;

    /** Which pool: {@code process}, {@code thread}, or {@code process-spin}. */
    @Param({"process", "thread"})
    public String kind;

    /** The pool under test, ready once {@link #start()} has run. */
    public Pool pool;

    /** Starts the pool and waits until its workers are ready. */
    @Setup(Level.Trial)
    public void start() {
        pool = create(kind);
    }

    /** Lets submitted work finish and waits for the workers to exit. */
    @TearDown(Level.Trial)
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    static Pool create(String kind) {
        switch (kind) {
            case "process":
                return ProcessPool.create(WORKERS);
            case "process-spin":
                return ProcessPool.builder().processes(WORKERS).busySpin(true).build();
            case "thread":
                return ThreadPool.create(WORKERS);
            default:
                throw new IllegalArgumentException("unknown pool kind '" + kind
                        + "': expected process, thread or process-spin");
        }
    }
}
