package io.procpool.examples.compare;

import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.SharedMemory;
import io.procpool.Task;
import io.procpool.launcher.ProcessPool;

import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Section 12: one large read-only input summed in slices by a ProcessPool, passed as arrays against one
 * {@link SharedMemory} block. The arrays are the idiom of a user who sends each task its slice: one
 * {@code double[]} per task, copied before the map (not timed) and serialised to the worker with the task; capturing
 * the whole array instead would send it once per task, the number of slices times as many bytes. The block is made
 * once with {@link SharedMemory#of(double[])}, captured by the task, and each task sums its slice in place through
 * {@link SharedMemory#doubles()}. Each is measured on a fresh pool: wall time, the bytes that crossed (the pool's
 * own count), and each worker's proportional set size (PSS) before and after. The first map on each pool is timed
 * apart from the warm ones: it pays the block's first touch in each worker and the summing loop's compilation.
 */
final class SharedMemorySuite {
    /** Progress steps of {@link #run}: the arrays and the block. */
    static final int STEPS = 2;
    /** 256 MiB of doubles, the size. */
    static final int FULL_DOUBLES = 32 * 1024 * 1024;
    /** 32 MiB of doubles for a quick run. */
    static final int QUICK_DOUBLES = 4 * 1024 * 1024;
    static final int SLICES = 16;
    /** Each worker's heap: room for the arrays' case, which holds a 16 MiB slice and its serialised form. */
    static final String WORKER_HEAP = "-Xmx512m";
    private static final String WORKER_MAIN = "io.procpool.worker.WorkerMain";
    private static final long WORKER_WAIT_NANOS = 30_000_000_000L;

    private final int workers;
    private final int doubles;
    private final int warmups;
    private final int reps;
    private final Results results;
    private final Progress progress;

    SharedMemorySuite(Plan plan, Results results, Progress progress) {
        // Warm-ups enough for the block's steady state: each worker first touches the block's pages as its slices
        // reach it, and the summing loop is compiled by tiers over the first maps (measured: 1,106, 712, 158, 75,
        // 47, then 31 ms for the full size), while the arrays' copy costs the same from the first. The first map
        // of each is reported apart.
        this(plan.workers(), plan.quick() ? QUICK_DOUBLES : FULL_DOUBLES, plan.quick() ? 1 : 4, plan.quick() ? 3 : 5,
                results, progress);
    }

    SharedMemorySuite(int workers, int doubles, int warmups, int reps, Results results, Progress progress) {
        if (doubles % SLICES != 0) {
            throw new IllegalArgumentException("doubles must be a multiple of " + SLICES + ", was " + doubles);
        }
        this.workers = workers;
        this.doubles = doubles;
        this.warmups = warmups;
        this.reps = reps;
        this.results = results;
        this.progress = progress;
    }

    /**
     * Measures the arrays, then the block, each on its own pool, and unlinks the block.
     *
     * @throws PoolException if a pool cannot start
     */
    void run() {
        double[] data = new double[doubles];
        // Fractions, so that the order of summation matters and an exact match means the same order.
        for (int i = 0; i < doubles; i++) {
            data[i] = (i % 1000) / 7.0;
        }
        int slice = doubles / SLICES;
        double[] partials = new double[SLICES];
        for (int s = 0; s < SLICES; s++) {
            partials[s] = sum(data, s * slice, (s + 1) * slice);
        }
        double sequential = total(partials);

        progress.doing("shared memory: arrays, one slice per task");
        List<double[]> slices = new ArrayList<>();
        for (int s = 0; s < SLICES; s++) {
            slices.add(Arrays.copyOfRange(data, s * slice, (s + 1) * slice));
        }
        Task<double[], Double> sumArray = values -> sum(values, 0, values.length);
        results.sharedMemory.add(measure("arrays, a double[] slice per task", sequential,
                pool -> pool.map(sumArray, slices, 1)));
        slices.clear();
        progress.step();

        progress.doing("shared memory: one SharedMemory block");
        SharedMemory block = SharedMemory.of(data);
        try {
            List<Integer> indexes = IntStream.range(0, SLICES).boxed().toList();
            Task<Integer, Double> sumSlice = s -> {
                DoubleBuffer all = block.doubles();
                double sum = 0;
                for (int i = s * slice; i < (s + 1) * slice; i++) {
                    sum += all.get(i);
                }
                return sum;
            };
            results.sharedMemory.add(measure("SharedMemory.of(data), captured", sequential,
                    pool -> pool.map(sumSlice, indexes, 1)));
        } finally {
            block.unlink();
            block.close();
        }
        progress.step();
    }

    /** One way of passing the data, on a fresh pool: warm-ups, timed runs, bytes and each worker's PSS. */
    private Results.SharedSum measure(String how, double sequential,
                                      java.util.function.Function<ProcessPool, List<Double>> map) {
        Set<Long> others = workerPids();
        try (ProcessPool pool = ProcessPool.builder().processes(workers).jvmOptions(WORKER_HEAP).build()) {
            pool.apply(Workloads.IDENTITY, 1);
            List<Long> pids = awaitWorkers(others);
            List<Double> pssBefore = pids.stream().map(SharedMemorySuite::pssMib).toList();
            PoolStats before = pool.stats();
            long firstStart = System.nanoTime();
            List<Double> firstSums = map.apply(pool);
            double firstMillis = (System.nanoTime() - firstStart) / 1e6;
            Timing.Timed<List<Double>> timed = Timing.median(warmups, reps, () -> map.apply(pool));
            PoolStats after = pool.stats();
            List<Double> pssAfter = pids.stream().map(SharedMemorySuite::pssMib).toList();
            double sum = total(timed.value().stream().mapToDouble(Double::doubleValue).toArray());
            int maps = 1 + warmups + reps;
            long bytes = (after.bytesToWorkers() - before.bytesToWorkers()
                    + after.bytesFromWorkers() - before.bytesFromWorkers()) / maps;
            double firstSum = total(firstSums.stream().mapToDouble(Double::doubleValue).toArray());
            if (firstSum != sequential) {
                results.note("shared memory, " + how + ": the first map's sum " + firstSum + " differs from the"
                        + " sequential " + sequential);
            }
            if (sum != sequential) {
                results.note("shared memory, " + how + ": the sum " + sum + " differs from the sequential "
                        + sequential);
            }
            return new Results.SharedSum(how, doubles, SLICES, workers, WORKER_HEAP, warmups, reps, firstMillis,
                    timed.millis(), bytes,
                    pssBefore, pssAfter, sum, sequential, sum == sequential);
        }
    }

    static double sum(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum;
    }

    private static double total(double[] partials) {
        double total = 0;
        for (double partial : partials) {
            total += partial;
        }
        return total;
    }

    /** The pool's workers: this JVM's child processes running the worker main class that were not there before. */
    private List<Long> awaitWorkers(Set<Long> others) {
        long deadline = System.nanoTime() + WORKER_WAIT_NANOS;
        while (true) {
            List<Long> pids = workerPids().stream().filter(pid -> !others.contains(pid)).sorted().toList();
            if (pids.size() >= workers || System.nanoTime() > deadline) {
                return pids;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return pids;
            }
        }
    }

    /** {@return the pids of this JVM's worker JVMs, not counting one writing a class-data archive} */
    private static Set<Long> workerPids() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(WORKER_MAIN))
                .filter(p -> !io.procpool.launcher.CdsArchive.isWriter(p))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The {@code Pss:} line of {@code /proc/<pid>/smaps_rollup} in MiB, or null where it cannot be read. */
    static Double pssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process has gone: the table shows "-".
        }
        return null;
    }
}
