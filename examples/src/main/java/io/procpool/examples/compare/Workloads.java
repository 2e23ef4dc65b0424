package io.procpool.examples.compare;

import io.procpool.Task;

/**
 * The tasks every engine runs. They are static methods and non-capturing lambdas of this class, so that a worker
 * JVM rebuilds them from the same jar, and each returns a value that the caller keeps, so that the JIT cannot
 * remove the work as dead code.
 */
final class Workloads {
    /** The round trip with nothing else in it. */
    static final Task<Object, Object> IDENTITY = x -> x;
    /** A task that costs almost nothing, so that what is measured is the cost of handing it over. */
    static final Task<Integer, Integer> SQUARE = x -> x * x;
    /** The CPU-bound task: {@link #cpuLoop(long)}. */
    static final Task<Long, Long> CPU_LOOP = Workloads::cpuLoop;
    /** Busy-spins for the item's number of nanoseconds: {@link #spin(long)}. */
    static final Task<Long, Long> SPIN = Workloads::spin;
    /** A cheap task per line of text: {@link #countWords(String)}. */
    static final Task<String, Integer> WORDS = Workloads::countWords;

    /** Where calibration runs leave their sums: a volatile write the JIT must perform keeps them from being dropped. */
    private static volatile long blackhole;

    private Workloads() {
    }

    /**
     * The sum of {@code i * i} for {@code i < n}. Wraps in a long (the same way in every JVM, so results still
     * compare exactly); the loop bound comes from the argument and the sum is returned and compared, so the JIT
     * can neither fold it to a constant nor drop it.
     */
    static long cpuLoop(long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i * i;
        }
        return sum;
    }

    /**
     * Spins on {@link System#nanoTime()} for {@code nanos}: a task of a known duration that, unlike sleeping,
     * keeps a core busy, as real CPU-bound work would. Reading the clock is an effect the JIT must keep, so the
     * loop cannot be removed.
     *
     * @return {@code nanos}, so that results can be checked like any other task's
     */
    static long spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            // No Thread.onSpinWait(): the task stands for real work, which keeps the core busy at full speed.
        }
        return nanos;
    }

    /**
     * Counts the runs of characters other than a space: work proportional to the line and cheap next to handing it
     * to another thread, as the per-line work of a log scan or a CSV filter is. Python's {@code len(line.split())}
     * gives the same count for the comparison's lines.
     */
    static int countWords(String line) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            boolean space = line.charAt(i) == ' ';
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }

    /**
     * Finds the {@code n} for which {@link #cpuLoop(long)} takes about {@code targetMillis} in this JVM. The loop
     * runs for a while first, so that the figure is for compiled code, as it is in every measured run; the last
     * step takes the fastest of three runs, since on a busy machine a run can only be slowed down, never sped up.
     */
    static long calibrateCpuLoop(int targetMillis) {
        long sink = 0;
        long warmUntil = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < warmUntil) {
            sink += cpuLoop(1_000_000);
        }
        long n = 1_000_000;
        double millis;
        while (true) {
            long start = System.nanoTime();
            sink += cpuLoop(n);
            millis = (System.nanoTime() - start) / 1e6;
            if (millis >= targetMillis / 4.0) {
                break;
            }
            n *= 4;
        }
        n = Math.max(1, (long) (n * targetMillis / millis));
        double fastest = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            sink += cpuLoop(n);
            fastest = Math.min(fastest, (System.nanoTime() - start) / 1e6);
        }
        blackhole = sink;
        return Math.max(1, (long) (n * targetMillis / fastest));
    }
}
