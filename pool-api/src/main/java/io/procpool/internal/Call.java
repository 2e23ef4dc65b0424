package io.procpool.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.PoolException;
import io.procpool.Task;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One call on a pool ({@code map}, {@code imap}, {@code apply}...): reads its items, hands them out in chunks and
 * takes their outcomes back. Subclasses decide where outcomes go (a list, an ordered or an unordered iterator).
 *
 * <p>Item reading is bounded: a lazy call never has more than {@code maxItemsAhead} items read but not yet taken
 * by the caller, so an endless {@code Iterable} works in bounded memory. All state is guarded by {@code this};
 * pools call {@link #nextChunk()} from whichever thread dispatches, and {@link #complete} from whichever thread
 * collects.
 */
public abstract class Call {
    private static final AtomicLong IDS = new AtomicLong();
    /** The largest chunk the pool chooses by itself for {@code imap}: it bounds how far reading runs ahead. */
    private static final int MAX_LAZY_ADAPTIVE_CHUNK = 128;

    private final long id = IDS.incrementAndGet();
    private final Task<Object, Object> fn;
    @GuardedBy("this")
    private final Iterator<?> items;
    private final boolean lazy;
    private volatile Runnable onRoom = () -> { };
    private volatile Runnable onCancel = () -> { };
    /** Set when the call was cancelled: its chunks not started must not start. */
    private volatile boolean cancelled;
    /** Set when the call was cancelled with its running chunks to be stopped, not merely left to finish. */
    private volatile boolean stopRunning;
    @GuardedBy("this")
    private Runnable afterUnlock;

    @GuardedBy("this")
    private int chunksize;
    @GuardedBy("this")
    private long maxItemsAhead;
    private final long chunksAhead;
    @GuardedBy("this")
    private ChunkSizer sizer;
    @GuardedBy("this")
    private ChunkMemory memory;
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

    /**
     * Creates a call; nothing is read from {@code items} until a pool asks for the first chunk.
     *
     * @param fn            the task
     * @param items         the items, read on demand
     * @param chunksize     the number of items per chunk, at least 1
     * @param lazy          whether the caller consumes results as they come ({@code imap}), which bounds reading
     * @param maxItemsAhead for a lazy call, the most items read but not yet taken by the caller
     */
    @SuppressWarnings("unchecked")
    protected Call(Task<?, ?> fn, Iterator<?> items, int chunksize, boolean lazy, long maxItemsAhead) {
        this.fn = (Task<Object, Object>) Objects.requireNonNull(fn, "fn");
        this.items = items;
        this.chunksize = chunksize;
        this.lazy = lazy;
        this.maxItemsAhead = Math.max(maxItemsAhead, chunksize);
        this.chunksAhead = Math.max(1, this.maxItemsAhead / chunksize);
    }

    /**
     * Returns the call's id.
     *
     * @return a number unique to this call within the JVM
     */
    public final long id() {
        return id;
    }

    /**
     * Returns the task the call applies to its items.
     *
     * @return the task
     */
    public final Task<Object, Object> fn() {
        return fn;
    }

    /**
     * Tells whether this is a lazy call ({@code imap}, {@code imapUnordered}).
     *
     * @return whether the caller reads results as they come, so that a shutdown stops reading further items
     */
    public final boolean isLazy() {
        return lazy;
    }

    /**
     * Sets what to run when a lazy call has room for more chunks after the caller took results.
     *
     * @param onRoom a callback that must not block
     */
    public final void onRoom(Runnable onRoom) {
        this.onRoom = onRoom;
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

    /**
     * Lets the pool choose chunk sizes from measured task durations: chunks grow until one takes about
     * {@code targetChunkNanos} in a worker, and near the end of a call of known length they shrink again, so
     * that the last chunks do not leave workers idle. Only for calls without an explicit chunksize.
     *
     * @param targetChunkNanos how long a chunk should run, enough to make the cost of sending it small
     * @param workers          the pool's size, for balancing the end of the call
     * @param memory           what the pool learnt of earlier calls' tasks, and learns of this one's
     */
    public final synchronized void adaptChunks(long targetChunkNanos, int workers, ChunkMemory memory) {
        // A lazy call reads ahead a few chunks per worker: small chunks keep that, and its memory, small.
        this.memory = memory;
        sizer = new ChunkSizer(targetChunkNanos, workers, lazy ? MAX_LAZY_ADAPTIVE_CHUNK : Integer.MAX_VALUE / 2,
                memory.nanosPerItem(fn.getClass()));
        int first = sizer.first(knownTotal() - itemsRead);
        if (first > 0) {
            setChunksize(first);
        }
    }

    /**
     * Tells the call how long one of its chunks took in a worker, for adaptive chunk sizes.
     *
     * @param items        the chunk's number of items
     * @param executeNanos the time spent running them
     */
    public final synchronized void chunkTimed(int items, long executeNanos) {
        if (sizer != null && !ended) {
            setChunksize(sizer.next(chunksize, items, executeNanos, knownTotal() - itemsRead));
            memory.remember(fn.getClass(), sizer.nanosPerItem());
        }
    }

    @GuardedBy("this")
    private void setChunksize(int newChunksize) {
        chunksize = Math.max(1, newChunksize);
        maxItemsAhead = Math.max(maxItemsAhead, chunksize * chunksAhead);
    }

    /**
     * Returns the call's number of items, where it is known in advance.
     *
     * @return how many items the call has in all, or {@link Long#MAX_VALUE} when that is not known (lazy calls)
     */
    protected long knownTotal() {
        return Long.MAX_VALUE;
    }

    /**
     * Tells whether the call will be sent as one chunk, which a pool may run on the caller's thread.
     *
     * @return whether all of the call's items go in its next chunk: a call of items in memory, no more of them
     * than its chunk size, none read yet
     */
    public final synchronized boolean isSingleChunk() {
        return !lazy && itemsRead == 0 && !ended && knownTotal() <= chunksize;
    }

    /**
     * Reads the call's next chunk of items. A failure of the caller's iterator ends the call with a
     * {@link PoolException}, not the pool.
     *
     * @return the next chunk to run, or {@code null} when none may be read now (the items are exhausted, the lazy
     * bound is reached, or the call has ended)
     */
    public final Chunk nextChunk() {
        try {
            return nextChunkLocked();
        } finally {
            runAfterUnlock();
        }
    }

    private synchronized Chunk nextChunkLocked() {
        if (ended || exhausted) {
            return null;
        }
        long room = lazy ? maxItemsAhead - (itemsRead - itemsTaken()) : Long.MAX_VALUE;
        if (room <= 0) {
            return null;
        }
        int n = (int) Math.min(chunksize, room);
        Object[] chunkItems = new Object[n];
        int read = 0;
        try {
            while (read < n && items.hasNext()) {
                chunkItems[read++] = items.next();
            }
            if (read == n && !lazy && !items.hasNext()) {
                // Items in memory: see their end now, so that the last chunk's outcome finishes the call, rather
                // than a later nextChunk() under the pool's lock.
                exhausted = true;
            }
        } catch (RuntimeException | LinkageError | StackOverflowError | AssertionError e) {
            // The caller's iterator failed: that ends this call, not the pool that runs it.
            exhausted = true;
            end(new PoolException("the items' iterator threw " + e, e));
            return null;
        }
        if (read < n) {
            exhausted = true;
            if (read == 0) {
                maybeFinish();
                return null;
            }
            chunkItems = java.util.Arrays.copyOf(chunkItems, read);
        }
        Chunk chunk = new Chunk(this, itemsRead, chunkItems);
        itemsRead += read;
        chunksOutstanding++;
        return chunk;
    }

    /**
     * Returns items {@code [from, to)} of a chunk as a chunk of their own, to be run again or failed on their own:
     * after the worker that held the chunk died, or when one of its items timed out. The original chunk must then
     * be {@link #abandon abandoned}.
     *
     * @param chunk a chunk of this call
     * @param from  the position in {@code chunk} of the first item to take, inclusive
     * @param to    the position in {@code chunk} after the last item to take
     * @return a new chunk of those items, counted as outstanding
     */
    public final synchronized Chunk slice(Chunk chunk, int from, int to) {
        chunksOutstanding++;
        return new Chunk(this, chunk.firstIndex() + from, java.util.Arrays.copyOfRange(chunk.items(), from, to));
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
     * Stops reading items, as a shutdown does for lazy calls: what was read still completes.
     */
    public final void stopReading() {
        try {
            synchronized (this) {
                if (!exhausted) {
                    exhausted = true;
                    if (hasMoreItems()) {
                        truncated();
                    }
                    maybeFinish();
                }
            }
        } finally {
            runAfterUnlock();
        }
    }

    /** Whether reading was cut short: the items have more than was read. */
    @GuardedBy("this")
    private boolean hasMoreItems() {
        try {
            return items.hasNext();
        } catch (RuntimeException e) {
            return true;
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

    @GuardedBy("this")
    private void maybeFinish() {
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

    private void runAfterUnlock() {
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
     * Tells a lazy call's dispatcher that the caller took results, so more items may be read.
     */
    protected final void signalRoom() {
        onRoom.run();
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
     * deferred with {@link #afterUnlock}.
     *
     * @param count the number of items the call had
     */
    @GuardedBy("this")
    protected abstract void onAllDone(long count);

    /**
     * The call ended early with {@code failure}. Called under the call's lock: code of the caller's must be deferred
     * with {@link #afterUnlock}.
     *
     * @param failure the exception the call ended with
     */
    @GuardedBy("this")
    protected abstract void onEnd(PoolException failure);

    /** A shutdown stopped reading items. Called under the call's lock. */
    @GuardedBy("this")
    protected void truncated() {
    }
}
