package io.procpool.examples;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Times a piece of work the simple, honest way: unmeasured warm-up runs first (JIT compilation, class loading,
 * a worker's first task), then the median of the measured runs, which one slow outlier cannot move.
 */
final class Bench {

    /**
     * A median wall time and the value the last measured run returned, so that callers can check the results.
     */
    record Timed<T>(double millis, T value) {
    }

    private Bench() {
    }

    static <T> Timed<T> median(int warmups, int runs, Supplier<T> work) {
        for (int i = 0; i < warmups; i++) {
            var unused = work.get();
        }
        double[] millis = new double[runs];
        T value = null;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            value = work.get();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        double median = runs % 2 == 1 ? millis[runs / 2] : (millis[runs / 2 - 1] + millis[runs / 2]) / 2;
        return new Timed<>(median, value);
    }

    static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
