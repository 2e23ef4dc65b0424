package io.procpool.examples.compare;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What parking and waking a thread costs on this machine, measured when the comparison starts. A pool's threads
 * wait by parking, so these figures bound how quickly any pool here can hand work over: a timed park lasts at least
 * the kernel's timer slack however short the requested time, and a wake-up goes through the scheduler.
 *
 * @param parks               timed parks of each length, alternating, after a warm-up
 * @param parkNanos1000Micros the median real duration of {@code LockSupport.parkNanos(1_000)}
 * @param parkNanos1Micros    the median real duration of {@code LockSupport.parkNanos(1)}
 * @param roundTrips          timed ping-pong round trips between two threads, each parked until the other unparks it
 * @param wakeMicros          the median time from the start of {@code unpark(t)} in one thread to {@code t}, parked
 *                            until then, running again; both ends read {@link System#nanoTime()}, one clock for
 *                            every thread of a JVM
 * @param unparkCallMicros    the median time the {@code unpark(t)} call itself takes in the waking thread
 * @param roundTripMicros     the median ping-pong round trip. Not twice {@code wakeMicros}: the reply often
 *                            arrives before the first thread has parked again, so it wakes nothing
 */
record ParkCost(int parks, double parkNanos1000Micros, double parkNanos1Micros, int roundTrips, double wakeMicros,
                double unparkCallMicros, double roundTripMicros) {

    /** Timed samples of each figure; fewer if the measurement's budget runs out first. */
    private static final int SAMPLES = 2_000;
    /** Timed samples taken however long they take, so that every figure exists even on a loaded machine. */
    private static final int MIN_SAMPLES = 20;
    /** Untimed samples first, so that the figures are for compiled code and threads that have parked before. */
    private static final int WARMUPS = 50;
    /**
     * The most the parks may take, warm-up included: {@link #SAMPLES} of each length where a park lasts 100 us, as
     * on a 2-core VM, and fewer on a loaded machine, where a park can last milliseconds, rather than a long wait.
     */
    private static final long PARKS_BUDGET_NANOS = 500_000_000L;
    /** The same for the ping-pong, whose round trips are usually far shorter than a timed park. */
    private static final long PING_PONG_BUDGET_NANOS = 400_000_000L;
    /** Whose move it is in the ping-pong; the parked thread checks it, since a park may return spuriously. */
    private static final int PING = 0;
    private static final int PONG = 1;
    private static final int STOP = 2;

    /** Measures every figure: about half a second on an idle machine, and under a second on a loaded one. */
    static ParkCost measure() throws InterruptedException {
        long[][] parks = timeParks();
        long[][] pingPong = pingPong();
        return new ParkCost(parks[0].length, Timing.medianMicros(parks[0]), Timing.medianMicros(parks[1]), pingPong[0].length,
                Timing.medianMicros(pingPong[0]), Timing.medianMicros(pingPong[1]), Timing.medianMicros(pingPong[2]));
    }

    /**
     * Times {@code parkNanos(1_000)} and {@code parkNanos(1)} in turn, so that both see the same machine.
     *
     * @return the durations in nanoseconds: of {@code parkNanos(1_000)}, then of {@code parkNanos(1)}
     */
    private static long[][] timeParks() {
        long[] micro = new long[SAMPLES];
        long[] nano = new long[SAMPLES];
        long deadline = System.nanoTime() + PARKS_BUDGET_NANOS;
        int taken = 0;
        for (int i = -WARMUPS; i < SAMPLES && (i < MIN_SAMPLES || System.nanoTime() < deadline); i++) {
            long start = System.nanoTime();
            LockSupport.parkNanos(1_000);
            long middle = System.nanoTime();
            LockSupport.parkNanos(1);
            long end = System.nanoTime();
            if (i >= 0) {
                micro[i] = middle - start;
                nano[i] = end - middle;
                taken = i + 1;
            }
        }
        return new long[][] {Arrays.copyOf(micro, taken), Arrays.copyOf(nano, taken)};
    }

    /**
     * A ping-pong between this thread and a second one, each parked until the other unparks it. Every round starts
     * only once the other thread is parked, so that each timed unpark wakes a parked thread, as a pool's idle
     * worker is; the woken thread notes when it runs again.
     *
     * @return in nanoseconds: from the unpark to the other thread running, this thread's {@code unpark} calls, and
     * the round trips
     */
    private static long[][] pingPong() throws InterruptedException {
        AtomicInteger turn = new AtomicInteger(PING);
        // Written by the other thread before it hands the turn back, so the turn's volatile write publishes it.
        long[] wokenAt = new long[1];
        Thread pinger = Thread.currentThread();
        Thread ponger = new Thread(() -> {
            while (true) {
                int now;
                while ((now = turn.get()) == PING) {
                    LockSupport.park();
                }
                wokenAt[0] = System.nanoTime();
                if (now == STOP) {
                    return;
                }
                turn.set(PING);
                LockSupport.unpark(pinger);
            }
        }, "compare-park-pong");
        ponger.setDaemon(true); // should this thread outlive an error here, it must not keep the JVM up
        ponger.start();

        long[] wakes = new long[SAMPLES];
        long[] unparkCalls = new long[SAMPLES];
        long[] roundTrips = new long[SAMPLES];
        long deadline = System.nanoTime() + PING_PONG_BUDGET_NANOS;
        int taken = 0;
        try {
            for (int i = -WARMUPS; i < SAMPLES && (i < MIN_SAMPLES || System.nanoTime() < deadline); i++) {
                // WAITING is set just before the thread blocks in park, so the two are a few nanoseconds apart.
                // Yielding rather than spinning: on a single core the other thread needs this one's CPU to get there.
                while (ponger.getState() != Thread.State.WAITING) {
                    Thread.yield();
                }
                long start = System.nanoTime();
                turn.set(PONG);
                LockSupport.unpark(ponger);
                long called = System.nanoTime();
                while (turn.get() != PING) {
                    LockSupport.park();
                }
                long back = System.nanoTime();
                if (i >= 0) {
                    wakes[i] = wokenAt[0] - start;
                    unparkCalls[i] = called - start;
                    roundTrips[i] = back - start;
                    taken = i + 1;
                }
            }
        } finally {
            turn.set(STOP);
            LockSupport.unpark(ponger);
            ponger.join();
        }
        return new long[][] {Arrays.copyOf(wakes, taken), Arrays.copyOf(unparkCalls, taken),
                Arrays.copyOf(roundTrips, taken)};
    }

    /** @return the figures in one line for the header, e.g. "parkNanos(1 us) takes 76 us, ..." */
    String describe() {
        return String.format(Locale.ROOT, "parkNanos(1 us) takes %s us, parkNanos(1 ns) %s us; an unpark wakes a"
                        + " parked thread in %s us (the unpark call itself %s us); medians of %,d parks and %,d"
                        + " wake-ups", Report.number(parkNanos1000Micros), Report.number(parkNanos1Micros),
                Report.number(wakeMicros), Report.number(unparkCallMicros), parks, roundTrips);
    }
}
