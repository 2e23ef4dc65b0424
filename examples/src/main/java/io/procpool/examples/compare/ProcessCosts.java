package io.procpool.examples.compare;

import io.procpool.examples.compare.Results.FirstCall;
import io.procpool.examples.compare.Results.Idle;
import io.procpool.examples.compare.Results.Startup;
import io.procpool.launcher.CdsArchive;
import io.procpool.launcher.ProcessPool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Workloads 7 and 8, the costs only a process pool has: starting its workers, and keeping them while there is
 * nothing to do. Both need this JVM to run nothing else, so they run after the other workloads' pools are closed.
 */
final class ProcessCosts {
    /**
     * Lets the JIT and the pools' idle strategies settle: the workers' compilers are still busy with what the
     * warm-up ran for a second or two, which is not what an idle pool costs.
     */
    private static final long SETTLE_MILLIS = 3_000;
    /** procpool's switch for the workers' class-data-sharing archive (on by default, for jar classpaths). */
    private static final String CDS_PROPERTY = "procpool.cds";

    private ProcessCosts() {
    }

    /**
     * Times {@code pools} ProcessPools from the call that creates one to its first result. This JVM has already
     * loaded procpool's classes by then (an earlier pool did), as a long-running application would have.
     */
    static Startup startup(int workers, int pools) {
        return startup(workers, pools, "JVM");
    }

    /**
     * The same without the class-data-sharing archive that workers on a jar classpath share, as a pool started
     * from directories (an IDE, a build's test run) starts: what the archive saves.
     */
    static Startup startupWithoutArchive(int workers, int pools) {
        String before = System.getProperty(CDS_PROPERTY);
        System.setProperty(CDS_PROPERTY, "false");
        try {
            return startup(workers, pools, "JVM, no CDS archive");
        } finally {
            if (before == null) {
                System.clearProperty(CDS_PROPERTY);
            } else {
                System.setProperty(CDS_PROPERTY, before);
            }
        }
    }

    private static Startup startup(int workers, int pools, String variant) {
        double[] firstResult = new double[pools];
        double[] ready = new double[pools];
        for (int i = 0; i < pools; i++) {
            long start = System.nanoTime();
            ProcessPool pool = ProcessPool.builder().processes(workers).build();
            try {
                pool.apply(Workloads.IDENTITY, 1);
                firstResult[i] = (System.nanoTime() - start) / 1e6;
                ready[i] = pool.startupTime().toNanos() / 1e6;
            } finally {
                pool.close(); // not timed: shutting down is not what an application waits for
            }
        }
        return new Startup(Engine.PROCESS_POOL, variant, pools, Timing.median(firstResult), Timing.median(ready));
    }

    /** How long {@link #settled} waits for a pool's queues to open before it gives up on them. */
    private static final long SETTLE_WAIT_NANOS = 30_000_000_000L;

    /**
     * Waits until a new pool's workers and the pool have opened their Chronicle queues, which they do once the pool
     * has been idle a moment, so that what is measured on it is the steady state of a pool in use, not its first
     * messages on the start-up rings or the queues' opening in the middle of a measurement.
     *
     * @param pool a pool just built
     * @return the pool
     * @throws IllegalStateException if the queues did not open within 30 s
     */
    static ProcessPool settled(ProcessPool pool) {
        long deadline = System.nanoTime() + SETTLE_WAIT_NANOS;
        while (!pool.startupBreakdown().map(b -> b.workers().stream()
                .allMatch(w -> w.queues().isPresent() && w.parentQueues().isPresent())).orElse(true)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pool's queues did not open within 30 s of its start");
            }
            try {
                Thread.sleep(20); // the pool must be idle for its queues to open: this thread only looks now and then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the pool's queues", e);
            }
        }
        return pool;
    }

    /** How many later maps each pool of {@link #firstCall} runs after its first. */
    private static final int LATER_MAPS = 3;

    /**
     * The first call on a new pool, as a new user meets it: {@code pools} times, a pool of {@code workers} is built
     * (not timed: {@code build()} returns once every worker is ready), then the same CPU-bound map of
     * {@code 4 * workers} items of about {@code itemMillis} each runs {@code 1 + LATER_MAPS} times, each timed.
     */
    static FirstCall firstCall(int workers, int pools, int itemMillis) {
        long n = Workloads.calibrateCpuLoop(itemMillis);
        List<Long> items = LongStream.range(0, 4L * workers).map(i -> n + i).boxed().toList();
        List<Long> expected = items.stream().map(Workloads::cpuLoop).toList();
        double[] first = new double[pools];
        double[] later = new double[pools * LATER_MAPS];
        for (int p = 0; p < pools; p++) {
            try (ProcessPool pool = ProcessPool.builder().processes(workers).build()) {
                for (int m = 0; m <= LATER_MAPS; m++) {
                    long start = System.nanoTime();
                    List<Long> results = pool.map(Workloads.CPU_LOOP, items);
                    double millis = (System.nanoTime() - start) / 1e6;
                    if (!results.equals(expected)) {
                        throw new IllegalStateException("the first-call map returned wrong results");
                    }
                    if (m == 0) {
                        first[p] = millis;
                    } else {
                        later[p * LATER_MAPS + m - 1] = millis;
                    }
                }
            }
        }
        return new FirstCall(Engine.PROCESS_POOL, pools, items.size(), itemMillis, Timing.median(first),
                Timing.median(later));
    }

    /**
     * Starts a ProcessPool, gives every worker a task, lets it settle, then watches it do nothing for
     * {@code seconds}: the CPU time this JVM and the workers used in that window, and the workers' resident memory.
     * This JVM's figure includes whatever else it runs, so the caller must have closed everything else first.
     */
    static Idle idle(int workers, int seconds) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (ProcessPool pool = ProcessPool.builder().processes(workers).build()) {
            pool.map(Workloads.IDENTITY, IntStream.range(0, 4 * workers).boxed().toList(), 1);
            System.gc(); // the earlier workloads left garbage; a collection in the window is not the pool's cost
            Thread.sleep(SETTLE_MILLIS);

            List<ProcessHandle> children = ProcessHandle.current().children()
                    .filter(child -> !CdsArchive.isWriter(child)).toList();
            Map<Long, Duration> childCpuBefore = new HashMap<>();
            for (ProcessHandle child : children) {
                childCpuBefore.put(child.pid(), child.info().totalCpuDuration().orElse(null));
            }
            long parentCpuBefore = os.getProcessCpuTime();
            long poolThreadsCpuBefore = poolThreadsCpuNanos();
            long wallBefore = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long parentCpu = os.getProcessCpuTime() - parentCpuBefore;
            long poolThreadsCpu = poolThreadsCpuNanos() - poolThreadsCpuBefore;
            double wallNanos = System.nanoTime() - wallBefore;

            long childCpuNanos = 0;
            boolean childCpuKnown = true;
            List<Double> rss = new ArrayList<>();
            List<Double> pss = new ArrayList<>();
            for (ProcessHandle child : children) {
                Duration before = childCpuBefore.get(child.pid());
                Duration after = child.info().totalCpuDuration().orElse(null);
                if (before == null || after == null) {
                    childCpuKnown = false; // a partial sum would understate the cost: no figure instead
                } else {
                    childCpuNanos += after.minus(before).toNanos();
                }
                Double mib = residentMiB(child.pid());
                if (mib != null) {
                    rss.add(mib);
                }
                Double proportional = proportionalMiB(child.pid());
                if (proportional != null) {
                    pss.add(proportional);
                }
            }
            return new Idle(Engine.PROCESS_POOL, wallNanos / 1e9, children.size(), 100 * parentCpu / wallNanos,
                    childCpuKnown ? 100 * childCpuNanos / wallNanos : null, rss, pss,
                    residentMiB(ProcessHandle.current().pid()), 100 * poolThreadsCpu / wallNanos);
        }
    }

    /**
     * @return the CPU time of procpool's own threads in this JVM (the pool's loop), in nanoseconds: the parent's
     * share of an idle pool's cost, apart from what the rest of this JVM (its compilers, its collector) does
     */
    private static long poolThreadsCpuNanos() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("procpool-")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** @return VmRSS from /proc/{pid}/status in MiB, or null where there is no /proc (not Linux) */
    static Double residentMiB(long pid) {
        return procKiB(pid, "status", "VmRSS:");
    }

    /**
     * @return the proportional set size from /proc/{pid}/smaps_rollup in MiB: resident memory with each page shared
     * by n processes counted as 1/n of a page, a worker's fair share (the JVM's own code and class-data archives are
     * shared by every worker); null where the kernel does not give it
     */
    static Double proportionalMiB(long pid) {
        return procKiB(pid, "smaps_rollup", "Pss:");
    }

    private static Double procKiB(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone: no figure rather than a wrong one.
        }
        return null;
    }
}
