package io.procpool.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.PoolException;

/**
 * The returning half of a {@link Call}: counts the chunks handed out and the outcomes taken back, and ends the call,
 * by finishing it once every item read has its outcome, or early on a failure, a cancellation or a pool's stop, with
 * the caller's code that an outcome runs deferred until the call's lock is released. It owns the call's counts, its
 * end and cancellation flags and those deferred actions; {@link Call} reads the items, hands them out in chunks and
 * tells it what it handed out.
 *
 * <p>A superclass, not an object of its own, so that a call stays one object with one lock ({@code this}, which
 * guards all its state): nothing more to allocate per call, and nothing more to reach through per chunk. Its public
 * and protected members are {@link Call}'s.
 */
abstract class CallProgress {
    @GuardedBy("this")
    private long itemsRead;
    @GuardedBy("this")
    private long itemsSettled;
    @GuardedBy("this")
    private int chunksOutstanding;
    @GuardedBy("this")
    private boolean exhausted;
    @GuardedBy("this")
    private boolean ended;
    private volatile Runnable onCancel = () -> { };
    /** Set when the call was cancelled: its chunks not started must not start. */
    private volatile boolean cancelled;
    /** Set when the call was cancelled with its running chunks to be stopped, not merely left to finish. */
    private volatile boolean stopRunning;
    @GuardedBy("this")
    private Runnable afterUnlock;

    /** For {@link Call} alone. */
    CallProgress() {
    }

    /**
     * Sets what to run when the call is {@link #cancel cancelled}, so that the pool keeps its queued chunks from
     * starting and, when {@link #stopsRunning()}, stops the running ones: a process pool kills the workers running
     * them, a thread pool interrupts its threads.
     *
     * @param onCancel a callback that must not block
     */
    public final void onCancel(Runnable onCancel) {
        this.onCancel = onCancel;
    }

    /** {@return how many items were read, the next one's index} */
    @GuardedBy("this")
    final long itemsRead() {
        return itemsRead;
    }

    /** {@return whether the call has ended}, for {@link Call}, which holds the lock already */
    @GuardedBy("this")
    final boolean ended() {
        return ended;
    }

    /** {@return whether no more items may be read: they are exhausted, or the call has ended} */
    @GuardedBy("this")
    final boolean readingStopped() {
        return ended || exhausted;
    }

    /**
     * Marks the items as read to their end, or as not to be read any further.
     *
     * @return whether they were not marked so before
     */
    @GuardedBy("this")
    final boolean exhaust() {
        if (exhausted) {
            return false;
        }
        exhausted = true;
        return true;
    }

    /**
     * Counts a chunk read from the items as outstanding, and its items as read.
     *
     * @param read the chunk's number of items
     */
    @GuardedBy("this")
    final void handedOut(int read) {
        itemsRead += read;
        chunksOutstanding++;
    }

    /** Counts a chunk sliced from another as outstanding: its items were read already. */
    @GuardedBy("this")
    final void sliced() {
        chunksOutstanding++;
    }

    /**
     * Gives up a chunk whose items were all re-sliced, so that it no longer counts as outstanding.
     *
     * @param chunk a chunk of this call whose items now travel in slices
     */
    public final void abandon(Chunk chunk) {
        try {
            synchronized (this) {
                chunksOutstanding--;
                maybeFinish();
            }
        } finally {
            runAfterUnlock();
        }
    }

    /**
     * Takes the outcomes of a chunk.
     *
     * @param chunk    the chunk
     * @param values   the results, by position in the chunk
     * @param failures the failures, by position, or {@code null} when all succeeded; where an entry is not
     *                 {@code null} the item failed
     */
    public final void complete(Chunk chunk, Object[] values, PoolException[] failures) {
        try {
            completeLocked(chunk, values, failures);
        } finally {
            runAfterUnlock();
        }
    }

    private synchronized void completeLocked(Chunk chunk, Object[] values, PoolException[] failures) {
        chunksOutstanding--;
        if (!ended) {
            for (int i = 0; i < chunk.size(); i++) {
                PoolException failure = failures == null ? null : failures[i];
                if (failure != null) {
                    onFailure(chunk.firstIndex() + i, failure);
                } else {
                    onValue(chunk.firstIndex() + i, values[i]);
                }
                if (ended) {
                    break;
                }
            }
            itemsSettled += chunk.size();
        }
        maybeFinish();
    }

    /**
     * Fails every item of a chunk with the same exception, as when its worker died.
     *
     * @param chunk   a chunk of this call
     * @param failure the exception each of its items fails with
     */
    public final void fail(Chunk chunk, PoolException failure) {
        PoolException[] failures = new PoolException[chunk.size()];
        java.util.Arrays.fill(failures, failure);
        complete(chunk, new Object[chunk.size()], failures);
    }

    /**
     * Ends the call now with {@code failure}: nothing more is read, outcomes still to come are dropped. Used for
     * {@code terminate()}, for an interrupted caller, and by {@code map} on its first failure. Does nothing if the
     * call has already ended.
     *
     * @param failure the exception the caller gets
     */
    public final void end(PoolException failure) {
        try {
            synchronized (this) {
                if (!ended) {
                    endLocked(failure);
                }
            }
        } finally {
            runAfterUnlock();
        }
    }

    @GuardedBy("this")
    private void endLocked(PoolException failure) {
        ended = true;
        exhausted = true;
        onEnd(failure);
    }

    /**
     * Cancels the call: no more of its chunks start, outcomes still to come are dropped, and, when
     * {@code stopRunning}, the pool is told to stop the chunks that are running.
     *
     * @param stopRunning whether running chunks must be stopped, not merely left to finish unseen
     * @param reason      what the call's waiters get
     * @return whether this ended the call; {@code false} if it had ended already
     */
    public final boolean cancel(boolean stopRunning, PoolException reason) {
        try {
            synchronized (this) {
                if (ended) {
                    return false;
                }
                this.stopRunning = stopRunning;
                cancelled = true;
                endLocked(reason);
            }
        } finally {
            runAfterUnlock();
        }
        onCancel.run();
        return true;
    }

    /**
     * Cancels the call only if none of its chunks has been handed to a worker yet: then none ever runs.
     *
     * @param reason what the call's waiters get
     * @return whether the call was cancelled before it started
     */
    public final boolean cancelIfNotStarted(PoolException reason) {
        try {
            synchronized (this) {
                if (ended || itemsRead > 0) {
                    return false;
                }
                endLocked(reason);
                return true;
            }
        } finally {
            runAfterUnlock();
        }
    }

    /**
     * Says whether the call was cancelled; read by the pool's threads without a lock.
     *
     * @return whether the call was cancelled, so that its chunks not started must never start
     */
    public final boolean isCancelled() {
        return cancelled;
    }

    /**
     * Says how the call was cancelled.
     *
     * @return whether the call was cancelled with its running chunks to be stopped, not left to finish unseen
     */
    public final boolean stopsRunning() {
        return stopRunning;
    }

    /**
     * Tells whether the call is over, so that a pool may forget it.
     *
     * @return whether no more chunks will be read and every chunk read has its outcome (or the call ended)
     */
    public final synchronized boolean isFinished() {
        return (ended || exhausted) && chunksOutstanding <= 0;
    }

    /**
     * Tells whether the call has ended, by finishing or by failing.
     *
     * @return whether the call has ended, so that its pending chunks need not run
     */
    public final synchronized boolean hasEnded() {
        return ended;
    }

    /** Finishes the call once its items are exhausted and every one read has its outcome. */
    @GuardedBy("this")
    final void maybeFinish() {
        if (!ended && exhausted && itemsSettled == itemsRead && chunksOutstanding == 0) {
            ended = true;
            onAllDone(itemsRead);
        }
    }

    /**
     * Has {@code action} run once this call's lock is released, by the thread that holds it now. Outcomes that run
     * code of the caller's ({@code CompletableFuture} callbacks) go through here: run under the call's lock they
     * could deadlock with a pool that takes its own lock and then the call's (a callback that submits work). Every
     * public method that takes the lock runs these actions when it lets go of it. Called under the call's lock.
     *
     * @param action what to run, after any actions deferred before it
     */
    @GuardedBy("this")
    protected final void afterUnlock(Runnable action) {
        Runnable before = afterUnlock;
        afterUnlock = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    /** Runs the actions deferred with {@code afterUnlock}, unless an outer frame of this thread holds the lock. */
    final void runAfterUnlock() {
        if (Thread.holdsLock(this)) {
            return; // an outer frame of this thread still holds the lock and runs them when it lets go
        }
        Runnable actions;
        synchronized (this) {
            actions = afterUnlock;
            afterUnlock = null;
        }
        if (actions != null) {
            actions.run();
        }
    }

    /**
     * Returns how far the caller has got; by default every item with an outcome counts as taken.
     *
     * @return how many items the caller has taken; bounds reading for lazy calls
     */
    @GuardedBy("this")
    protected long itemsTaken() {
        return itemsSettled;
    }

    /**
     * Item {@code index} succeeded. Called under the call's lock.
     *
     * @param index the item's index among the call's items
     * @param value its result, possibly {@code null}
     */
    @GuardedBy("this")
    protected abstract void onValue(long index, Object value);

    /**
     * Item {@code index} failed. Called under the call's lock; may call {@link #end}.
     *
     * @param index   the item's index among the call's items
     * @param failure what it failed with
     */
    @GuardedBy("this")
    protected abstract void onFailure(long index, PoolException failure);

    /**
     * Every one of {@code count} items has its outcome. Called under the call's lock: code of the caller's must be
     * deferred with {@code afterUnlock}.
     *
     * @param count the number of items the call had
     */
    @GuardedBy("this")
    protected abstract void onAllDone(long count);

    /**
     * The call ended early with {@code failure}. Called under the call's lock: code of the caller's must be deferred
     * with {@code afterUnlock}.
     *
     * @param failure the exception the call ended with
     */
    @GuardedBy("this")
    protected abstract void onEnd(PoolException failure);
}
