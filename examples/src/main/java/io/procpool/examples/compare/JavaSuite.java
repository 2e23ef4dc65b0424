package io.procpool.examples.compare;

import io.procpool.Task;
import io.procpool.examples.compare.Results.Latency;
import io.procpool.examples.compare.Results.LineRate;
import io.procpool.examples.compare.Results.PacedLatency;
import io.procpool.examples.compare.Results.Speedup;
import io.procpool.examples.compare.Results.Throughput;
import io.procpool.examples.compare.Results.Transfer;
import io.procpool.examples.compare.Timing.Timed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Workloads 1 to 6 and 9 on the Java engines: the same tasks, items and statistics for each. Engines never run at the
 * same time, so they never compete for the cores; where a figure is a ratio to the sequential run (the speedups),
 * they take turns within each repetition. A measurement that fails is noted and skipped; the others still run.
 */
final class JavaSuite {
    /**
     * What consuming one run's results adds up to. The position-weighted sum differs if results come back out of
     * item order, which {@code imap} must not do, so comparing tallies checks order as well as values.
     */
    private record Tally(long lines, long words, long positionWeightedWords) {
    }

    private final Plan plan;
    private final Results results;
    private final Progress progress;

    JavaSuite(Plan plan, Results results, Progress progress) {
        this.plan = plan;
        this.results = results;
        this.progress = progress;
    }

    /** @return how many progress steps {@link #runLatency} takes: two apply measurements per runner */
    static int latencySteps(int latencyRunners) {
        return 2 * latencyRunners;
    }

    /** @return how many progress steps {@link #run} takes: two apply measurements per latency runner, and the rest */
    static long steps(Plan plan, int latencyRunners, int pools) {
        return latencySteps(latencyRunners) + 4L * (1 + pools) + (long) plan.payloadSizes().size() * pools
                + (long) plan.spinNanos().size() * (1 + pools);
    }

    /**
     * Runs every workload on every engine given, in the order of the report's tables.
     *
     * @param lines the file the {@code imap} workload reads, written beforehand and deleted by the caller
     */
    void run(List<Runner> latencyRunners, SequentialRunner sequential, List<PoolRunner> pools, LinesFile lines) {
        runLatency(latencyRunners);
        tinyTasks(sequential, pools, 1, plan.tinyItemsChunk1(), results.tinyChunksize1);
        tinyTasks(sequential, pools, MapRunner.DEFAULT_CHUNKING, plan.tinyItemsDefault(),
                results.tinyDefaultChunking);
        cpuBound(sequential, pools, results.cpuBound);
        for (long size : plan.payloadSizes()) {
            payload(size, pools);
        }
        for (long nanos : plan.spinNanos()) {
            taskDuration(nanos, sequential, pools);
        }
        imapLines(lines, pools);
    }

    /** Workload 1 on each runner: back to back, then paced. */
    void runLatency(List<Runner> runners) {
        for (Runner runner : runners) {
            measure("apply latency", runner, () -> applyLatency(runner, plan.applyCalls(), results.applyLatency));
            measure("apply every " + plan.pacedGapMillis() + " ms", runner, () -> pacedApplyLatency(runner));
        }
    }

    /** Workload 1: back-to-back apply round trips, each repetition's p50 and p99, their medians into {@code into}. */
    void applyLatency(Runner runner, int calls, List<Latency> into) {
        long[] samples = new long[calls];
        double[] p50 = new double[plan.reps()];
        double[] p99 = new double[plan.reps()];
        for (int rep = -plan.warmups(); rep < plan.reps(); rep++) {
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                runner.apply(Workloads.IDENTITY, i);
                samples[i] = System.nanoTime() - start;
            }
            if (rep >= 0) {
                Arrays.sort(samples);
                p50[rep] = Timing.percentile(samples, 0.50) / 1e3;
                p99[rep] = Timing.percentile(samples, 0.99) / 1e3;
            }
        }
        into.add(new Latency(runner.engine(), calls, Timing.median(p50), Timing.median(p99)));
    }

    /**
     * Workload 1, paced: one call after each sleep of {@link Plan#pacedGapMillis}, the latency of an occasional call.
     * Between calls the engine's threads (and a ProcessPool's workers) have gone to sleep, so each call pays for
     * waking them, which back-to-back calls never do. It follows the back-to-back run on the same engine, so the
     * code is already compiled, and it sleeps before the first call too, so that no call finds the engine still
     * awake from that run.
     */
    private void pacedApplyLatency(Runner runner) {
        int calls = plan.pacedCalls();
        long[] samples = new long[calls];
        for (int i = 0; i < calls; i++) {
            sleep(plan.pacedGapMillis());
            long start = System.nanoTime();
            runner.apply(Workloads.IDENTITY, i);
            samples[i] = System.nanoTime() - start;
        }
        Arrays.sort(samples);
        results.applyLatencyPaced.add(new PacedLatency(runner.engine(), calls, plan.pacedGapMillis(),
                Timing.percentile(samples, 0.50) / 1e3, Timing.percentile(samples, 0.99) / 1e3));
    }

    /**
     * Sleeps between paced calls. {@link Thread#sleep} is the workload's pacing here, not a wait for anything: how
     * much longer than asked it sleeps does not matter, since only the calls are timed.
     */
    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between paced calls", e);
        }
    }

    /** Workloads 2 and 3: {@code x -> x * x} over {@code itemCount} items on each pool, into {@code into}. */
    void tinyTasks(SequentialRunner sequential, List<PoolRunner> pools, int chunksize, int itemCount,
                   List<Throughput> into) {
        List<Integer> items = IntStream.range(0, itemCount).boxed().toList();
        List<Integer> expected = sequential.map(Workloads.SQUARE, items, chunksize);
        String what = chunksize == 1 ? "tiny tasks, chunksize 1" : "tiny tasks, default chunking";
        for (MapRunner runner : withSequential(sequential, pools)) {
            measure(what, runner, () -> {
                Timed<List<Integer>> timed = Timing.median(plan.warmups(), plan.reps(),
                        () -> runner.map(Workloads.SQUARE, items, chunksize));
                check(expected.equals(timed.value()), runner, what);
                Integer shownChunksize = runner.engine() == Engine.SEQUENTIAL || chunksize == MapRunner.DEFAULT_CHUNKING
                        ? null : chunksize;
                into.add(new Throughput(runner.engine(), shownChunksize, itemCount, timed.millis(),
                        itemCount / (timed.millis() / 1e3)));
            });
        }
    }

    /** Workload 4: the CPU-bound loop sequentially and on each pool in turn, the speedups into {@code into}. */
    void cpuBound(SequentialRunner sequential, List<PoolRunner> pools, List<Speedup> into) {
        progress.doing("CPU-bound: calibrating the loop");
        long n = Workloads.calibrateCpuLoop(plan.cpuItemMillis());
        // Different sizes, so that comparing result lists also checks that they come back in item order.
        List<Long> items = LongStream.range(0, plan.cpuItems()).map(i -> n + i).boxed().toList();
        speedups("CPU-bound", plan.cpuItemMillis() * 1e3, Workloads.CPU_LOOP, items, sequential, pools, into);
    }

    /**
     * Workload 5 at one size, on each pool: the time per call of back-to-back calls, and the first call of the size
     * alone. That first call is the one that checks the result; it is timed by itself, the check left out, since it
     * is what a user pays the first time a value this large crosses (buffers grow, fresh memory is touched), a cost
     * the warm-up runs hide from the per-call figure. The pools serve every size, smallest first, so it is the first
     * call at this size, not the pool's first call.
     */
    private void payload(long size, List<PoolRunner> pools) {
        byte[] data = new byte[(int) size];
        new Random(size).nextBytes(data); // random, so no layer on the way can get away with less than a copy
        int calls = plan.payloadCalls(size);
        for (PoolRunner pool : pools) {
            measure("payload " + Report.bytes(size), pool, () -> {
                double firstCallMicros = firstCallMicros(pool, data);
                Timed<Object> timed = Timing.median(plan.warmups(), plan.reps(), () -> {
                    Object last = null;
                    for (int i = 0; i < calls; i++) {
                        last = pool.apply(Workloads.IDENTITY, data);
                    }
                    return last;
                });
                double perCallMicros = timed.millis() * 1e3 / calls;
                results.payload.add(new Transfer(pool.engine(), size, calls, perCallMicros,
                        2.0 * size / (perCallMicros / 1e6) / (1L << 30),
                        // A ThreadPool hands over a reference: its first call grows nothing, so no figure.
                        pool.engine() == Engine.THREAD_POOL ? null : firstCallMicros));
            });
        }
    }

    /**
     * Makes the first call of {@code data}'s size on {@code pool} and checks what comes back. A method of its own
     * so that the copy it returns is garbage before the timed runs start, as it was when the check stood alone.
     *
     * @return the call's time, the check left out
     */
    private static double firstCallMicros(PoolRunner pool, byte[] data) {
        long start = System.nanoTime();
        Object echoed = pool.apply(Workloads.IDENTITY, data);
        long nanos = System.nanoTime() - start;
        check(Arrays.equals(data, (byte[]) echoed), pool, "payload");
        return nanos / 1e3;
    }

    private void taskDuration(long nanos, SequentialRunner sequential, List<PoolRunner> pools) {
        List<Long> items = Collections.nCopies(plan.spinItems(nanos), nanos);
        speedups("spin " + Report.duration(nanos), nanos / 1e3, Workloads.SPIN, items, sequential, pools,
                results.taskDuration);
    }

    /**
     * Times {@code task} over {@code items} sequentially and on each pool, the engines taking turns within each
     * repetition ({@link Timing#interleaved}): a speedup is a ratio of two timings, and both must see the same
     * machine. Each pool's results are checked against the sequential ones.
     */
    private void speedups(String what, double taskMicros, Task<Long, Long> task, List<Long> items,
                          SequentialRunner sequential, List<PoolRunner> pools, List<Speedup> into) {
        List<MapRunner> runners = withSequential(sequential, pools);
        List<Supplier<List<Long>>> works = runners.stream()
                .<Supplier<List<Long>>>map(r -> () -> r.map(task, items, MapRunner.DEFAULT_CHUNKING)).toList();
        progress.doing(what + ": sequential and " + pools.size() + " pools in turn");
        try {
            List<Timed<List<Long>>> timed = Timing.interleaved(plan.warmups(), plan.reps(), works);
            Timed<List<Long>> base = timed.get(0);
            for (int i = 1; i < runners.size(); i++) {
                check(base.value().equals(timed.get(i).value()), runners.get(i), what);
                into.add(new Speedup(runners.get(i).engine(), taskMicros, base.millis() * 1e3 / items.size(),
                        items.size(), base.millis(), timed.get(i).millis(), base.millis() / timed.get(i).millis()));
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            results.note(what + " failed, so it has no figures: " + e);
        } finally {
            progress.step(runners.size());
        }
    }

    /**
     * Workload 9: counts the words of every line of {@code lines}, by a plain loop over {@link Files#lines} and by
     * each pool's {@code imap} over an {@link Iterable} that reads the file lazily, summing the results as they come.
     * The engines take turns within each repetition, as for the speedups, since the table's figures are ratios.
     */
    private void imapLines(LinesFile lines, List<PoolRunner> pools) {
        String what = String.format(Locale.ROOT, "imap over %,d lines", lines.lines());
        List<Supplier<Tally>> works = new ArrayList<>();
        works.add(() -> {
            try (Stream<String> stream = Files.lines(lines.path())) {
                return tally(stream.map(Workloads::countWords).iterator());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (PoolRunner pool : pools) {
            works.add(() -> tally(pool.imap(Workloads.WORDS, lines)));
        }
        progress.doing(what + ": sequential and " + pools.size() + " pools in turn");
        try {
            List<Timed<Tally>> timed = Timing.interleaved(plan.warmups(), plan.reps(), works);
            Timed<Tally> loop = timed.get(0);
            if (loop.value().lines() != lines.lines()) {
                throw new IllegalStateException("the plain loop read " + loop.value().lines() + " lines of "
                        + lines.lines());
            }
            results.imapLines.add(lineRate(Engine.SEQUENTIAL, lines, loop, loop));
            for (int i = 0; i < pools.size(); i++) {
                check(loop.value().equals(timed.get(i + 1).value()), pools.get(i), what);
                results.imapLines.add(lineRate(pools.get(i).engine(), lines, timed.get(i + 1), loop));
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            results.note(what + " failed, so it has no figures: " + e);
        } finally {
            progress.step(1 + pools.size());
        }
    }

    /** @return one row of the table: {@code timed}, and the plain loop's time from the same repetitions */
    private static LineRate lineRate(Engine engine, LinesFile lines, Timed<Tally> timed, Timed<Tally> loop) {
        return new LineRate(engine, lines.lines(), timed.millis(), lines.lines() / (timed.millis() / 1e3),
                loop.millis());
    }

    /** Consumes word counts in item order, as a caller of {@code imap} would, keeping only their sums. */
    private static Tally tally(Iterator<? extends Integer> wordCounts) {
        long lines = 0;
        long words = 0;
        long positionWeighted = 0;
        while (wordCounts.hasNext()) {
            int count = wordCounts.next();
            lines++;
            words += count;
            positionWeighted += lines * count;
        }
        return new Tally(lines, words, positionWeighted);
    }

    private static List<MapRunner> withSequential(SequentialRunner sequential, List<PoolRunner> pools) {
        List<MapRunner> all = new ArrayList<>();
        all.add(sequential);
        all.addAll(pools);
        return all;
    }

    /** Runs one measurement, counting it on the progress bar; a failure becomes a note, not the end of the run. */
    void measure(String what, Runner runner, Runnable measurement) {
        String label = runner.engine().label(plan.workers());
        progress.doing(what + ": " + label);
        try {
            measurement.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            results.note(what + " on " + label + " failed, so it has no figure: " + e);
        } finally {
            progress.step();
        }
    }

    private static void check(boolean correct, Runner runner, String what) {
        if (!correct) {
            throw new IllegalStateException(runner.engine() + " returned wrong results for " + what);
        }
    }
}
