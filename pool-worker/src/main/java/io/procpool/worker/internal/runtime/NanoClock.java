package io.procpool.worker.internal.runtime;

/**
 * The time source of procpool's polling loops and supervisor, {@link System#nanoTime()} in production; a seam so
 * that their timing logic is tested in milliseconds with a clock the test moves.
 */
@FunctionalInterface
public interface NanoClock {
    /**
     * Reads the clock.
     *
     * @return the current time in nanoseconds, from an arbitrary origin
     */
    long nanoTime();
}
