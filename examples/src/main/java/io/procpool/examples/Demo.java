package io.procpool.examples;

import io.procpool.Pool;
import io.procpool.PoolStats;
import io.procpool.Task;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The demonstration that {@code java -jar procpool-examples.jar} runs: the article's CPU-bound scenario,
 * <pre>
 * with Pool(processes=4) as pool:
 *     results = pool.map(cpu_work, [10_000_000] * 4)
 * </pre>
 * run sequentially, on a {@link ThreadPool} and on a {@link ProcessPool}, then a flood of tiny tasks that shows
 * what each task pays to cross a process boundary.
 *
 * <p>Usage: {@code [cpu|io|async|progress|compare] [--workers N] [--quick]}. The first word picks the scenario:
 * {@code io} runs {@link IoBound}, {@code async} runs {@link AsyncOffload}, {@code progress} runs {@link LongRun} (a
 * long run watched with a progress bar), {@code compare} runs the full comparison of processes, threads and Python
 * ({@link io.procpool.examples.compare.Compare}); without it this class's own scenario runs. {@code report
 * <fully.qualified.ClassName>} prints which serialisation suits a class of yours ({@link Report}); {@code metrics}
 * prints a pool's meters as Prometheus scrapes them ({@link Metrics}).
 */
public final class Demo {
    private static final String PROGRAM = "java -jar procpool-examples.jar [cpu|io|async|progress|compare]";
    private static final String SCENARIOS = "cpu, io, async, progress, compare, report <class> or metrics";

    /**
     * Four different sizes rather than the article's four equal ones, so that comparing the results also checks
     * that they come back in item order. About half a billion iterations each keeps a sequential run near a second
     * on current hardware: long enough that starting a task in another JVM is noise, short enough for the demo to
     * finish in well under a minute.
     */
    private static final int[] INPUTS = {470_000_000, 490_000_000, 510_000_000, 530_000_000};
    private static final int TINY_ITEMS = 100_000;
    private static final int TINY_ITEMS_ONE_PER_CHUNK = 10_000;

    private Demo() {
    }

    /**
     * Runs the scenario that the first argument names, the CPU-bound one by default.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && !args[0].startsWith("-")) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case "cpu" -> runCpuBound(Options.parse(rest, PROGRAM));
                case "io" -> IoBound.main(rest);
                case "async" -> AsyncOffload.main(rest);
                case "progress" -> LongRun.main(rest);
                case "compare" -> io.procpool.examples.compare.Compare.main(rest);
                case "report" -> Report.main(rest);
                case "metrics" -> Metrics.main(rest);
                default -> {
                    System.err.println("unknown scenario: " + args[0] + " (expected " + SCENARIOS + ")");
                    System.exit(2);
                }
            }
            return;
        }
        runCpuBound(Options.parse(args, PROGRAM));
    }

    /**
     * The article's {@code cpu_work}: the sum of {@code i * i} for {@code i < n}. In a {@code long} it wraps where
     * Python would grow a big integer; the wrapping is the same in every JVM, so results still compare exactly.
     * The sum is returned and compared, so the JIT cannot drop the loop as dead code.
     */
    static long cpuWork(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (long) i * i;
        }
        return sum;
    }

    private static void runCpuBound(Options options) {
        int workers = options.workers();
        int scale = options.quick() ? 10 : 1;
        List<Integer> inputs = Arrays.stream(INPUTS).map(n -> n / scale).boxed().toList();
        int runs = options.quick() ? 3 : 5;

        System.out.printf("CPU-bound: cpuWork(n) = sum of i*i for i < n, n = %s; workers: %d, processors: %d%n",
                inputs, workers, Runtime.getRuntime().availableProcessors());
        System.out.printf("wall time: median of %d runs after 1 warm-up run%n%n", runs);

        // The ProcessPool starts first so that a JVM without the flags Chronicle needs fails at once, not after
        // the other runs. Start-up counts to the first result, not just to create(): then the pool can do work.
        long startNanos = System.nanoTime();
        try (Pool processes = ProcessPool.create(workers); Pool threads = ThreadPool.create(workers)) {
            double createMillis = Bench.millisSince(startNanos);
            processes.apply(Demo::cpuWork, 1);
            double startupMillis = Bench.millisSince(startNanos);

            Bench.Timed<List<Long>> sequential = Bench.median(1, runs, () -> {
                List<Long> results = new ArrayList<>();
                for (int n : inputs) {
                    results.add(cpuWork(n));
                }
                return results;
            });
            Bench.Timed<List<Long>> onThreads = Bench.median(1, runs, () -> threads.map(Demo::cpuWork, inputs));
            Bench.Timed<List<Long>> inProcesses = Bench.median(1, runs, () -> processes.map(Demo::cpuWork, inputs));

            System.out.printf("  %-18s %10s %9s%n", "mode", "wall ms", "speedup");
            printRow("sequential", sequential.millis(), sequential.millis());
            printRow("ThreadPool(" + workers + ")", onThreads.millis(), sequential.millis());
            printRow("ProcessPool(" + workers + ")", inProcesses.millis(), sequential.millis());
            boolean same = sequential.value().equals(onThreads.value())
                    && sequential.value().equals(inProcesses.value());
            System.out.printf("%n  results: %s%n", same
                    ? "identical in all three modes, " + sequential.value()
                    : "DIFFER: sequential " + sequential.value() + ", threads " + onThreads.value()
                            + ", processes " + inProcesses.value());
            System.out.printf("  ProcessPool start-up (create -> first apply result): %.0f ms, of which create()"
                    + " %.0f ms; paid once%n", startupMillis, createMillis);
            System.out.printf("  ProcessPool stats: %s%n%n", processes.stats());
            if (!same) {
                // Thrown, not System.exit: try-with-resources still closes the pools on the way out.
                throw new IllegalStateException("the three modes computed different results");
            }

            runTinyTasks(threads, processes, 3, sequential.millis() / inputs.size());
        }
    }

    /**
     * Tasks that do almost nothing: the wall time is then nearly all overhead, on threads the hand-off between
     * threads, in processes also serialising, writing to and reading from a queue file, and deserialising.
     */
    private static void runTinyTasks(Pool threads, Pool processes, int runs, double cpuMillisPerItem) {
        Task<Integer, Integer> square = x -> x * x;
        List<Integer> items = IntStream.range(0, TINY_ITEMS).boxed().toList();
        List<Integer> fewItems = items.subList(0, TINY_ITEMS_ONE_PER_CHUNK);

        System.out.printf("Tiny tasks: x -> x * x, median of %d runs after 1 warm-up run%n", runs);
        System.out.printf("  %-46s %10s %12s%n", "mode", "wall ms", "us per item");
        Bench.Timed<List<Integer>> threadsBatched = Bench.median(1, runs, () -> threads.map(square, items));
        printTinyRow("ThreadPool, " + TINY_ITEMS + " items, pool-chosen chunks", threadsBatched, TINY_ITEMS);
        PoolStats before = processes.stats();
        Bench.Timed<List<Integer>> processesBatched = Bench.median(1, runs, () -> processes.map(square, items));
        PoolStats after = processes.stats();
        printTinyRow("ProcessPool, " + TINY_ITEMS + " items, pool-chosen chunks", processesBatched, TINY_ITEMS);
        Bench.Timed<List<Integer>> threadsSingle = Bench.median(1, runs, () -> threads.map(square, fewItems, 1));
        printTinyRow("ThreadPool, " + TINY_ITEMS_ONE_PER_CHUNK + " items, chunksize 1", threadsSingle,
                TINY_ITEMS_ONE_PER_CHUNK);
        Bench.Timed<List<Integer>> processesSingle =
                Bench.median(1, runs, () -> processes.map(square, fewItems, 1));
        printTinyRow("ProcessPool, " + TINY_ITEMS_ONE_PER_CHUNK + " items, chunksize 1", processesSingle,
                TINY_ITEMS_ONE_PER_CHUNK);

        boolean same = threadsBatched.value().equals(processesBatched.value())
                && threadsSingle.value().equals(processesSingle.value());
        long tasks = after.tasksCompleted() - before.tasksCompleted();
        long bytes = after.bytesToWorkers() - before.bytesToWorkers()
                + after.bytesFromWorkers() - before.bytesFromWorkers();
        System.out.printf("%n  results: %s; the batched ProcessPool runs moved %.1f bytes per item across "
                + "the boundary%n", same ? "identical on both pools" : "DIFFER", (double) bytes / tasks);
        System.out.printf("  => One item per message, a task costs about %.1f us in a process and %.1f us on a thread;"
                        + " batched by the pool,%n     %.2f us. Processes pay off when each task computes for much"
                        + " longer than that: cpuWork above took %.0f ms per item.%n",
                processesSingle.millis() * 1000 / TINY_ITEMS_ONE_PER_CHUNK,
                threadsSingle.millis() * 1000 / TINY_ITEMS_ONE_PER_CHUNK,
                processesBatched.millis() * 1000 / TINY_ITEMS, cpuMillisPerItem);
        System.out.printf("%nProcessPool stats, whole run: %s%n", processes.stats());
        if (!same) {
            throw new IllegalStateException("the two pools computed different results");
        }
    }

    private static void printRow(String mode, double millis, double sequentialMillis) {
        System.out.printf("  %-18s %10.1f %8.2fx%n", mode, millis, sequentialMillis / millis);
    }

    private static void printTinyRow(String mode, Bench.Timed<?> timed, int items) {
        System.out.printf("  %-46s %10.1f %12.2f%n", mode, timed.millis(), timed.millis() * 1000 / items);
    }
}
