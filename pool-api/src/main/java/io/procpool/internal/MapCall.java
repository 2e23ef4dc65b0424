package io.procpool.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
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
    @GuardedBy("this")
    private final Object[] results;
    private final boolean single;
    private final CompletableFuture<Object> future = new CompletableFuture<>();
    /** Set by {@code cancel(false)}: chunks already running finish, unseen. */
    private volatile boolean letRunningFinish;

    private MapCall(Task<?, ?> fn, List<?> items, int chunksize, boolean single) {
        super(fn, items.iterator(), chunksize, false, Long.MAX_VALUE);
        this.results = new Object[items.size()];
        this.single = single;
        // A future completed or cancelled from outside (cancel(), orTimeout(), an interrupted caller) cancels the
        // call: its chunks not started are dropped and, unless cancel(false) asked otherwise, the running ones are
        // stopped. When the call completes the future itself it has ended first, so this does nothing.
        future.whenComplete((value, failure) -> {
            if (!hasEnded()) {
                cancel(!letRunningFinish, failure instanceof PoolException ? (PoolException) failure
                        : new PoolException("the call was cancelled: its future was completed from outside"
                        + (failure == null ? "" : " with " + failure), failure));
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

    /**
     * Cancels the call as {@link java.util.concurrent.Future#cancel} does: its future completes with a
     * {@link java.util.concurrent.CancellationException}, its chunks not started never run, and its running ones
     * are stopped if {@code mayInterruptIfRunning}, else left to finish unseen.
     *
     * @param mayInterruptIfRunning whether running chunks are stopped
     * @return whether this cancelled the call; {@code false} if it had completed or been cancelled already
     */
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!mayInterruptIfRunning) {
            letRunningFinish = true;
        }
        // Not future.cancel(), which answers true again once cancelled: Future's contract (FutureTask's) is that
        // only the cancel that did it returns true. Completing with a CancellationException is what cancel() does.
        return future.completeExceptionally(new java.util.concurrent.CancellationException("the call was cancelled"));
    }

    @Override
    @GuardedBy("this")
    protected long knownTotal() {
        return results.length;
    }

    @Override
    @GuardedBy("this")
    protected void onValue(long index, Object value) {
        results[(int) index] = value;
    }

    @Override
    @GuardedBy("this")
    protected void onFailure(long index, PoolException failure) {
        end(failure);
    }

    @Override
    @GuardedBy("this")
    protected void onAllDone(long count) {
        Object value = single ? results[0] : new ArrayList<>(Arrays.asList(results));
        afterUnlock(() -> future.complete(value));
    }

    /**
     * Cancels the call only if none of it has been handed to a worker yet: then it never runs, and its future is
     * cancelled.
     *
     * @return whether it was cancelled before it started
     */
    public boolean cancelIfUnstarted() {
        return cancelIfNotStarted(new CancelledBeforeStart());
    }

    @Override
    @GuardedBy("this")
    protected void onEnd(PoolException failure) {
        if (failure instanceof CancelledBeforeStart) {
            afterUnlock(() -> future.cancel(false));
        } else {
            afterUnlock(() -> future.completeExceptionally(failure));
        }
    }

    /** The reason a call cancelled before it started ends with: its future is cancelled rather than failed. */
    private static final class CancelledBeforeStart extends PoolException {
        private static final long serialVersionUID = 1L;

        CancelledBeforeStart() {
            super("cancelled before it started");
        }
    }
}
