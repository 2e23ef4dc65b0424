package io.procpool.worker;

import java.util.concurrent.locks.LockSupport;

/**
 * How a polling loop waits when there is nothing to read. {@link Mode#BACKOFF} (the default) spins briefly, then
 * yields for up to {@value #YIELD_PHASE_NANOS} ns after the last message, then parks for doubling periods up to a
 * millisecond while work is expected ({@link #idle(boolean)} with {@code true}), and up to the deep-idle limit when
 * none is, so a busy pool answers in microseconds and an idle one costs almost no CPU. A deep park must be paired
 * with a wake-up: the pool unparks its loop when work arrives, and wakes an idle worker through its stdin. The yielding phase is timed, not counted: on Linux even the shortest park sleeps for the
 * kernel's timer slack (about 50 µs), so a worker that parked between two back-to-back calls would add that to
 * every round trip. {@link Mode#BUSY_SPIN} never parks: the
 * lowest latency, at the price of a whole core per polling thread, which on a small machine steals it from the
 * workers. A parked thread can be woken early with {@link LockSupport#unpark(Thread)}.
 */
public final class IdleStrategy {
    /** The system property a worker reads its mode from. */
    public static final String PROPERTY = "procpool.idle";

    private static final int SPINS = 100;
    private static final long YIELD_PHASE_NANOS = 200_000;
    private static final long MIN_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long DEEP_IDLE_AFTER_NANOS = 10_000_000L;

    /** The waiting policies. */
    public enum Mode {
        /** Spin, yield, then park with back-off. */
        BACKOFF,
        /** Spin without ever parking. */
        BUSY_SPIN
    }

    private final Mode mode;
    private final long deepIdleParkNanos;
    private int spins;
    private long parkNanos = MIN_PARK_NANOS;
    private long idleSinceNanos;

    /**
     * @param mode              how to wait
     * @param deepIdleParkNanos the longest park when no work is expected
     */
    public IdleStrategy(Mode mode, long deepIdleParkNanos) {
        this.mode = mode;
        this.deepIdleParkNanos = deepIdleParkNanos;
    }

    /**
     * @return the strategy named by the {@value #PROPERTY} system property, back-off by default
     */
    public static IdleStrategy fromSystemProperties(long deepIdleParkNanos) {
        return new IdleStrategy(Mode.valueOf(System.getProperty(PROPERTY, Mode.BACKOFF.name())), deepIdleParkNanos);
    }

    /**
     * Waits a little; called when a poll found nothing.
     *
     * @param expectingWork whether an answer is awaited (chunks in flight): then parks stay short
     */
    public void idle(boolean expectingWork) {
        if (mode == Mode.BUSY_SPIN || spins < SPINS) {
            spins++;
            Thread.onSpinWait();
            return;
        }
        long now = System.nanoTime();
        if (idleSinceNanos == 0) {
            idleSinceNanos = now;
        }
        long idleNanos = now - idleSinceNanos;
        if (idleNanos < YIELD_PHASE_NANOS) {
            Thread.yield();
        } else {
            long max = !expectingWork && idleNanos > DEEP_IDLE_AFTER_NANOS ? deepIdleParkNanos : MAX_PARK_NANOS;
            LockSupport.parkNanos(Math.min(parkNanos, max));
            parkNanos = Math.min(parkNanos * 2, max);
        }
    }

    /**
     * Starts the next wait from the beginning; called when a poll found work.
     */
    public void reset() {
        spins = 0;
        parkNanos = MIN_PARK_NANOS;
        idleSinceNanos = 0;
    }
}
