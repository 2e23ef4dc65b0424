package io.procpool.worker.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * How a polling loop waits when there is nothing to read. {@link Mode#BACKOFF} (the default) yields (after an
 * optional spin phase) until {@value #YIELD_PHASE_NANOS} ns after the last message, then sleeps. The phases are
 * timed, not counted, and sized from what this machine's primitives cost: on a small virtual machine
 * {@code Thread.yield()} costs 1.4-1.8 µs with nothing else to run, and the shortest park about 100 µs, more than
 * a whole round trip through the queues; so a thread that answers back-to-back calls must not park between them,
 * and a park shorter than {@value #MIN_PARK_NANOS} ns is never worth its cost. Past the yielding phase
 * {@link #idle(boolean)} parks for doubling periods up to a millisecond while work is expected, and up to the
 * deep-idle limit when none is; a worker instead sleeps until it is woken ({@link #spinOrYield()} tells it when).
 * {@link Mode#BUSY_SPIN} never sleeps: the lowest latency, at the price of a whole core per polling thread, which
 * on a small machine steals it from the workers.
 */
public final class IdleStrategy {
    /** The system property a worker reads its mode from. */
    public static final String PROPERTY = "procpool.idle";

    /**
     * No spinning by default. A worker and the caller it answers often share a core: the kernel puts a thread
     * woken through a pipe on its waker's core. Then each spins only while the other cannot run, and a round trip
     * costs two spin phases (with 50 µs, an {@code apply} took 117-134 µs here); yielding hands the core over at
     * once (16-32 µs), and costs a system call when the threads do have a core each.
     */
    public static final long SPIN_PHASE_NANOS = 0;
    /** Yielding until this long after the last message covers a chunk that takes a little longer. */
    public static final long YIELD_PHASE_NANOS = 200_000;
    private static final long MIN_PARK_NANOS = 100_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long DEEP_IDLE_AFTER_NANOS = 10_000_000L;
    /** How many spins between two looks at the clock. */
    private static final int SPINS_PER_CLOCK_READ = 16;

    /** The waiting policies. */
    public enum Mode {
        /** Spin, yield, then sleep. */
        BACKOFF,
        /** Spin without ever sleeping. */
        BUSY_SPIN
    }

    private final Mode mode;
    private final long spinPhaseNanos;
    private final long yieldPhaseNanos;
    private final long deepIdleParkNanos;
    private final NanoClock clock;
    private int spins;
    private long parkNanos = MIN_PARK_NANOS;
    private long idleSinceNanos;
    private long nowNanos;

    /**
     * Creates a strategy with the standard spinning and yielding phases.
     *
     * @param mode              how to wait
     * @param deepIdleParkNanos the longest park when no work is expected
     */
    public IdleStrategy(Mode mode, long deepIdleParkNanos) {
        this(mode, SPIN_PHASE_NANOS, YIELD_PHASE_NANOS, deepIdleParkNanos, System::nanoTime);
    }

    /**
     * Creates a strategy with phases of its own, and a clock of its own.
     *
     * @param mode              how to wait
     * @param spinPhaseNanos  how long after the last message to spin
     * @param yieldPhaseNanos how long after the last message to spin or yield before sleeping
     * @param deepIdleParkNanos the longest park when no work is expected
     * @param clock           where the time comes from; tests pass a clock they move by hand
     */
    public IdleStrategy(Mode mode, long spinPhaseNanos, long yieldPhaseNanos, long deepIdleParkNanos,
                        NanoClock clock) {
        this.mode = mode;
        this.spinPhaseNanos = spinPhaseNanos;
        this.yieldPhaseNanos = Math.max(spinPhaseNanos, yieldPhaseNanos);
        this.deepIdleParkNanos = deepIdleParkNanos;
        this.clock = clock;
    }

    /**
     * Creates the strategy a worker was started with.
     *
     * @param deepIdleParkNanos the longest park when no work is expected
     * @return the strategy named by the {@value #PROPERTY} system property, back-off by default
     * @throws IllegalArgumentException if the property names no {@link Mode}
     */
    public static IdleStrategy fromSystemProperties(long deepIdleParkNanos) {
        return new IdleStrategy(Mode.valueOf(System.getProperty(PROPERTY, Mode.BACKOFF.name())), deepIdleParkNanos);
    }

    /**
     * Tells whether this strategy ever sleeps, so that a writer must wake the thread that uses it.
     *
     * @return whether this strategy ever sleeps
     */
    public boolean sleeps() {
        return mode != Mode.BUSY_SPIN;
    }

    /**
     * Waits a little; called when a poll found nothing. Parks once the yielding phase is over.
     *
     * @param expectingWork whether an answer is awaited (chunks in flight): then parks stay short
     */
    public void idle(boolean expectingWork) {
        if (spinOrYield()) {
            LockSupport.parkNanos(nextParkNanos(expectingWork));
        }
    }

    /**
     * Spins or yields once, if the phases for that are not over.
     *
     * @return {@code true} when spinning and yielding are over and the caller should sleep instead
     */
    public boolean spinOrYield() {
        if (mode == Mode.BUSY_SPIN) {
            Thread.onSpinWait();
            return false;
        }
        if (spins++ % SPINS_PER_CLOCK_READ == 0) {
            nowNanos = clock.nanoTime();
            if (idleSinceNanos == 0) {
                idleSinceNanos = nowNanos;
            }
        }
        long idleNanos = nowNanos - idleSinceNanos;
        if (idleNanos < spinPhaseNanos) {
            Thread.onSpinWait();
            return false;
        }
        if (idleNanos < yieldPhaseNanos) {
            Thread.yield();
            spins = 0; // a yield takes microseconds: look at the clock after each
            return false;
        }
        return true;
    }

    /**
     * Chooses how long to park once spinning and yielding are over, and doubles it for the next time.
     *
     * @param expectingWork whether an answer is awaited
     * @return how long to park now: doubling from the shortest park worth its cost, capped at a millisecond while
     * work is expected and at the deep-idle limit once nothing has come for a while
     */
    public long nextParkNanos(boolean expectingWork) {
        boolean deep = !expectingWork && clock.nanoTime() - idleSinceNanos > DEEP_IDLE_AFTER_NANOS;
        spins = 0;
        long max = deep ? deepIdleParkNanos : MAX_PARK_NANOS;
        long park = Math.min(parkNanos, max);
        parkNanos = Math.min(parkNanos * 2, max);
        return park;
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
