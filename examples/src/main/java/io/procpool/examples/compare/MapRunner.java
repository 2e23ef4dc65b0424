package io.procpool.examples.compare;

import io.procpool.Task;

import java.util.List;

/**
 * A {@link Runner} that also maps a task over many items: every engine except the bare executor, which the
 * comparison uses only as the latency baseline.
 */
interface MapRunner extends Runner {
    /** Chunk size meaning "whatever the engine chooses by itself", as {@code map} without a chunksize does. */
    int DEFAULT_CHUNKING = 0;

    /**
     * @param chunksize items per hand-over, or {@link #DEFAULT_CHUNKING}
     * @return the results in item order
     */
    <T, R> List<R> map(Task<? super T, ? extends R> fn, List<T> items, int chunksize);
}
