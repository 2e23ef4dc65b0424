package io.procpool.examples.compare;

import io.procpool.PoolException;
import io.procpool.ThreadPool;
import io.procpool.cluster.ClusterPool;
import io.procpool.examples.compare.Results.Startup;
import io.procpool.launcher.ProcessPool;

import java.util.List;
import java.util.function.Supplier;

/**
 * Section 11: the same {@link io.procpool.Pool} on a Hazelcast cluster of local members, one per worker and each
 * running chunks on one thread, beside a ThreadPool and a ProcessPool of as many workers, all measured here, one
 * engine at a time (in turns with the sequential loop for the speedup): start-up, the apply round trip, tiny tasks
 * with default chunking and the CPU-bound speedup.
 */
final class ClusterSuite {
    /**
     * Progress steps of {@link #run}: two start-ups, apply latency per pool, tiny tasks sequentially and per pool,
     * and the speedup's four engines.
     */
    static final int STEPS = 2 + 3 + 4 + 4;
    /** A cluster round trip costs a hundred times a thread's: a tenth of section 1's calls. */
    private static final int APPLY_CALLS_DIVISOR = 10;
    /** Starting members takes seconds: fewer pools than section 7 times. */
    private static final int MAX_STARTUP_POOLS = 3;

    private final Plan plan;
    private final Results results;
    private final Progress progress;
    private final JavaSuite workloads;

    ClusterSuite(Plan plan, Results results, Progress progress) {
        this.plan = plan;
        this.results = results;
        this.progress = progress;
        this.workloads = new JavaSuite(plan, results, progress);
    }

    /**
     * Times the start-ups, then starts one pool of each kind and runs the section's workloads on them.
     *
     * @throws PoolException if a pool cannot start; those already started are closed
     */
    void run() {
        int pools = Math.min(MAX_STARTUP_POOLS, plan.startupPools());
        startup(Engine.PROCESS_POOL, pools, () -> ProcessPool.builder().processes(plan.workers()).build());
        startup(Engine.CLUSTER_POOL, pools, this::newClusterPool);
        progress.doing("cluster: starting the pools");
        try (ThreadPool threads = ThreadPool.create(plan.workers());
             ProcessPool processes = ProcessPool.builder().processes(plan.workers()).build();
             ClusterPool cluster = newClusterPool()) {
            List<PoolRunner> runners = List.of(new PoolRunner(Engine.THREAD_POOL, threads),
                    new PoolRunner(Engine.PROCESS_POOL, processes), new PoolRunner(Engine.CLUSTER_POOL, cluster));
            for (PoolRunner runner : runners) {
                workloads.measure("cluster section, apply latency", runner,
                        () -> workloads.applyLatency(runner, Math.max(100, plan.applyCalls() / APPLY_CALLS_DIVISOR),
                                results.clusterApply));
            }
            workloads.tinyTasks(new SequentialRunner(), runners, MapRunner.DEFAULT_CHUNKING,
                    plan.tinyItemsDefault(), results.clusterTinyTasks);
            workloads.cpuBound(new SequentialRunner(), runners, results.clusterCpuBound);
        }
    }

    private ClusterPool newClusterPool() {
        return ClusterPool.builder().localMembers(plan.workers()).workersPerMember(1).build();
    }

    /** From the call that creates a pool to its first result; closing is not timed. */
    private void startup(Engine engine, int pools, Supplier<io.procpool.Pool> create) {
        progress.doing("cluster section, start-up: " + engine.label(plan.workers()));
        try {
            double[] firstResult = new double[pools];
            for (int i = 0; i < pools; i++) {
                long start = System.nanoTime();
                io.procpool.Pool pool = create.get();
                try {
                    pool.apply(Workloads.IDENTITY, 1);
                    firstResult[i] = (System.nanoTime() - start) / 1e6;
                } finally {
                    pool.close();
                }
            }
            results.clusterStartup.add(new Startup(engine, engine == Engine.CLUSTER_POOL
                    ? plan.workers() + " member JVMs, 1 worker each" : "JVM", pools, Timing.median(firstResult),
                    null));
        } catch (PoolException e) {
            results.note(engine.label(plan.workers()) + " start-up failed, so it has no figure: " + e.getMessage());
        } finally {
            progress.step();
        }
    }
}
