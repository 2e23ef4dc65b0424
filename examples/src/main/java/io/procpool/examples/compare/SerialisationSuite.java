package io.procpool.examples.compare;

import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.Serialization;
import io.procpool.examples.compare.Results.SerialLatency;
import io.procpool.examples.compare.Results.SerialPayload;
import io.procpool.examples.compare.Results.SerialThroughput;
import io.procpool.launcher.ProcessPool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Section 10: what each {@link Serialization} costs, the same workloads on a ProcessPool built with each, side by
 * side. One pool per serialisation, started once and kept for the whole section; the pools take turns within each
 * repetition, as the engines of the speedups do, so that a machine whose load drifts slows them all alike. Times
 * are medians over repetitions, as everywhere else; bytes and the serialising and rebuilding times are per item,
 * from each pool's {@link PoolStats} over all its measured repetitions, warm-ups left out.
 */
final class SerialisationSuite {
    /** Progress steps of {@link #run}: starting the pools, the apply round trip, the tiny tasks, each payload. */
    static final int STEPS = 3 + Payload.values().length;

    /** One pool and the serialisation it was built with. */
    private record Serialised(Serialization serialization, ProcessPool pool) {
    }

    /**
     * One pool's share of a measurement taken in turns: the wall time and value of each measured repetition, and
     * what crossing cost per item over all of them.
     */
    private record Turns<T>(Serialization serialization, double[] millis, List<T> values, Crossing perItem) {
    }

    private final Plan plan;
    private final Results results;
    private final Progress progress;

    SerialisationSuite(Plan plan, Results results, Progress progress) {
        this.plan = plan;
        this.results = results;
        this.progress = progress;
    }

    /**
     * Starts a pool per serialisation, runs the section's workloads on them and closes them. A measurement that
     * fails is noted and skipped, as in the other sections.
     *
     * @throws PoolException if a pool cannot start; those already started are closed
     */
    void run() {
        List<Serialised> pools = new ArrayList<>();
        try {
            progress.doing("serialisation: starting " + Serialization.values().length + " ProcessPools");
            for (Serialization serialization : Serialization.values()) {
                pools.add(new Serialised(serialization, ProcessPool.builder().processes(plan.workers())
                        .serialization(serialization).build()));
            }
            pools.forEach(serialised -> ProcessCosts.settled(serialised.pool()));
            progress.step();
            applyLatency(pools);
            tinyTasks(pools);
            for (Payload payload : Payload.values()) {
                payload(payload, pools);
            }
        } finally {
            pools.forEach(p -> p.pool().close());
        }
    }

    /**
     * The round trip of one small record, one call at a time: a record, since a lone number or string would cross
     * in the framing's compact form, which is the same whatever the serialisation.
     */
    private void applyLatency(List<Serialised> pools) {
        Object record = Payload.RECORD.make();
        int calls = plan.serialApplyCalls();
        measure("apply round trip of a record", () -> {
            List<Turns<long[]>> turns = inTurns(carrying(pools, record, "apply round trip"), pool -> {
                long[] samples = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    pool.apply(Workloads.IDENTITY, record);
                    samples[i] = System.nanoTime() - start;
                }
                Arrays.sort(samples);
                return samples;
            });
            for (Turns<long[]> turn : turns) {
                double[] p50 = turn.values().stream().mapToDouble(s -> Timing.percentile(s, 0.50) / 1e3).toArray();
                double[] p99 = turn.values().stream().mapToDouble(s -> Timing.percentile(s, 0.99) / 1e3).toArray();
                results.serialisationApply.add(new SerialLatency(turn.serialization(), Payload.RECORD.label(), calls,
                        Timing.median(p50), Timing.median(p99), turn.perItem()));
            }
        });
    }

    /** Workload 3 on each pool: many tiny tasks, the pool's default chunking. */
    private void tinyTasks(List<Serialised> pools) {
        int itemCount = plan.serialTinyItems();
        List<Integer> items = IntStream.range(0, itemCount).boxed().toList();
        List<Integer> expected = items.stream().map(x -> x * x).toList();
        measure("tiny tasks, default chunking", () -> {
            for (Turns<List<Integer>> turn : inTurns(pools, pool -> pool.map(Workloads.SQUARE, items))) {
                if (!expected.equals(turn.values().get(turn.values().size() - 1))) {
                    throw new IllegalStateException("the " + turn.serialization() + " pool returned wrong results");
                }
                double millis = Timing.median(turn.millis());
                results.serialisationTinyTasks.add(new SerialThroughput(turn.serialization(), itemCount, millis,
                        itemCount / (millis / 1e3), turn.perItem()));
            }
        });
    }

    /** One payload through {@code apply(identity)} on each pool, back to back. */
    private void payload(Payload payload, List<Serialised> pools) {
        Object value = payload.make();
        int calls = plan.serialCalls(payload.approximateBytes());
        measure("payload " + payload.label(), () -> {
            List<Turns<Void>> turns = inTurns(carrying(pools, value, payload.label()), pool -> {
                for (int i = 0; i < calls; i++) {
                    pool.apply(Workloads.IDENTITY, value);
                }
                return null;
            });
            for (Turns<Void> turn : turns) {
                results.serialisationPayload.add(new SerialPayload(turn.serialization(), payload.label(), calls,
                        Timing.median(turn.millis()) * 1e3 / calls, turn.perItem()));
            }
        });
    }

    /**
     * Sends {@code value} once through each pool and checks that it comes back equal. That first call is also
     * where a serialisation meets the value's classes for the first time (Fory generates its serializers then),
     * which the warm-ups would absorb anyway. A pool that cannot carry the value is noted and left out.
     *
     * @return the pools that carried it
     */
    private List<Serialised> carrying(List<Serialised> pools, Object value, String what) {
        List<Serialised> carrying = new ArrayList<>();
        for (Serialised pool : pools) {
            try {
                Object echoed = pool.pool().apply(Workloads.IDENTITY, value);
                if (!Objects.deepEquals(value, echoed)) {
                    throw new IllegalStateException("it came back different");
                }
                carrying.add(pool);
            } catch (RuntimeException e) {
                results.note(what + " with " + pool.serialization() + " failed, so it has no figure: " + e);
            }
        }
        return carrying;
    }

    /**
     * Runs {@code work} on each pool in turn, the warm-ups first, then the measured repetitions, and takes each
     * pool's stats around the measured ones only. Nothing else uses the pools meanwhile, and each call has
     * returned before the next starts, so the difference is exactly this work's.
     */
    private <T> List<Turns<T>> inTurns(List<Serialised> pools, Function<ProcessPool, T> work) {
        for (int i = 0; i < plan.warmups(); i++) {
            for (Serialised p : pools) {
                var unused = work.apply(p.pool());
            }
        }
        List<PoolStats> before = pools.stream().map(p -> p.pool().stats()).toList();
        double[][] millis = new double[pools.size()][plan.reps()];
        List<List<T>> values = pools.stream().<List<T>>map(p -> new ArrayList<>()).toList();
        for (int rep = 0; rep < plan.reps(); rep++) {
            for (int i = 0; i < pools.size(); i++) {
                long start = System.nanoTime();
                T value = work.apply(pools.get(i).pool());
                millis[i][rep] = (System.nanoTime() - start) / 1e6;
                values.get(i).add(value);
            }
        }
        List<Turns<T>> turns = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            turns.add(new Turns<>(pools.get(i).serialization(), millis[i], values.get(i),
                    Crossing.between(before.get(i), pools.get(i).pool().stats())));
        }
        return turns;
    }

    /** Runs one measurement, counting it on the progress bar; a failure becomes a note, not the end of the run. */
    private void measure(String what, Runnable measurement) {
        progress.doing("serialisation: " + what);
        try {
            measurement.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            results.note("serialisation: " + what + " failed, so it has no figures: " + e);
        } finally {
            progress.step();
        }
    }
}
