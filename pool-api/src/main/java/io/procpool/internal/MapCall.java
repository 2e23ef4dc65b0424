package io.procpool.internal;

import io.procpool.PoolException;
import io.procpool.Task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A call whose result is all of its outcomes at once: {@code map}, {@code mapAsync}, {@code apply},
 * {@code applyAsync}. The items are already in memory, so a shutdown lets it finish. Its future completes with the
 * results in item order, or exceptionally with the first failure received, which also drops the remaining work.
 */
public final class MapCall extends Call {
    private final Object[] results;
    private final boolean single;
    private final CompletableFuture<Object> future = new CompletableFuture<>();

    private MapCall(Task<?, ?> fn, List<?> items, int chunksize, boolean single) {
        super(fn, items.iterator(), chunksize, false, Long.MAX_VALUE);
        this.results = new Object[items.size()];
        this.single = single;
        // A future completed or cancelled from outside (an interrupted caller, cancel()) ends the call, so that
        // its remaining chunks are dropped.
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                end(failure instanceof PoolException ? (PoolException) failure
                        : new PoolException("the call's future was completed from outside: " + failure, failure));
            }
        });
    }

    /**
     * Creates a call of {@code fn} over items in memory, as for {@code map} and {@code mapAsync}.
     *
     * @param fn        the task
     * @param items     the items, in memory
     * @param chunksize items per chunk, at least 1
     * @return a call whose {@link #future()} completes with a {@code List} of the results
     */
    public static MapCall ofList(Task<?, ?> fn, List<?> items, int chunksize) {
        return new MapCall(fn, items, chunksize, false);
    }

    /**
     * Creates a call of {@code fn} on one argument, as for {@code apply} and {@code applyAsync}.
     *
     * @param fn  the task
     * @param arg its one argument
     * @return a call whose {@link #future()} completes with the one result
     */
    public static MapCall ofOne(Task<?, ?> fn, Object arg) {
        return new MapCall(fn, Arrays.asList(arg), 1, true);
    }

    /**
     * Returns the future that completes when the call does: with its results, or exceptionally with its first
     * failure.
     *
     * @return the future of the results: a {@code List} for {@link #ofList}, the value itself for {@link #ofOne}
     */
    public CompletableFuture<Object> future() {
        return future;
    }

    @Override
    protected long knownTotal() {
        return results.length;
    }

    @Override
    protected void onValue(long index, Object value) {
        results[(int) index] = value;
    }

    @Override
    protected void onFailure(long index, PoolException failure) {
        end(failure);
    }

    @Override
    protected void onAllDone(long count) {
        Object value = single ? results[0] : new ArrayList<>(Arrays.asList(results));
        afterUnlock(() -> future.complete(value));
    }

    @Override
    protected void onEnd(PoolException failure) {
        afterUnlock(() -> future.completeExceptionally(failure));
    }
}
