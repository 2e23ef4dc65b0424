package io.procpool.examples.compare;

import io.procpool.Task;

/**
 * Something that runs one task and waits for its result: every engine in the apply round-trip measurement.
 */
interface Runner {
    /** @return which engine this is */
    Engine engine();

    /** Runs {@code fn} on {@code arg} and waits for the result; a task's failure is rethrown unchecked. */
    <T, R> R apply(Task<? super T, ? extends R> fn, T arg);
}
