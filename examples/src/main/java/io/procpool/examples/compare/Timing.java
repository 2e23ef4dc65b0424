package io.procpool.examples.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * The two statistics the comparison uses. A figure is the median of several measured runs after unmeasured warm-up
 * runs (JIT compilation, class loading, a worker's first task), so one slow outlier on a busy machine cannot move
 * it; latency percentiles use the nearest-rank definition, the same as the Python side.
 */
final class Timing {
    /**
     * A median wall time and the value the last measured run returned, so that callers can check results.
     */
    record Timed<T>(double millis, T value) {
    }

    private Timing() {
    }

    static <T> Timed<T> median(int warmups, int reps, Supplier<T> work) {
        for (int i = 0; i < warmups; i++) {
            var unused = work.get();
        }
        double[] millis = new double[reps];
        T value = null;
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            value = work.get();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return new Timed<>(median(millis), value);
    }

    /**
     * Like {@link #median} for several pieces of work, run in turn within each repetition, so that a machine whose
     * load drifts during the measurement slows all of them alike and their ratios stay fair.
     *
     * @return one result per piece of work, in the same order
     */
    static <T> List<Timed<T>> interleaved(int warmups, int reps, List<Supplier<T>> works) {
        for (int i = 0; i < warmups; i++) {
            for (Supplier<T> work : works) {
                var unused = work.get();
            }
        }
        double[][] millis = new double[works.size()][reps];
        List<T> values = new ArrayList<>(Collections.nCopies(works.size(), null));
        for (int rep = 0; rep < reps; rep++) {
            for (int w = 0; w < works.size(); w++) {
                long start = System.nanoTime();
                values.set(w, works.get(w).get());
                millis[w][rep] = (System.nanoTime() - start) / 1e6;
            }
        }
        List<Timed<T>> timed = new ArrayList<>();
        for (int w = 0; w < works.size(); w++) {
            timed.add(new Timed<>(median(millis[w]), values.get(w)));
        }
        return timed;
    }

    /** @return the median of {@code nanos}, in microseconds */
    static double medianMicros(long[] nanos) {
        return median(Arrays.stream(nanos).mapToDouble(n -> n / 1e3).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @return the nearest-rank percentile of ascending {@code sorted} values, {@code fraction} in (0, 1] */
    static long percentile(long[] sorted, double fraction) {
        int index = Math.max(0, (int) Math.ceil(fraction * sorted.length) - 1);
        return sorted[index];
    }
}
