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
 * This class reads the items and sizes the chunks; {@link CallProgress}, its superclass, counts what comes back and
 * ends the call.
 *
 * <p>Item reading is bounded: a lazy call never has more than {@code maxItemsAhead} items read but not yet taken
 * by the caller, so an endless {@code Iterable} works in bounded memory. All state is guarded by {@code this};
 * pools call {@link #nextChunk()} from whichever thread dispatches, and {@link #complete} from whichever thread
 * collects.
 */
public abstract class Call extends CallProgress {
    private static final AtomicLong IDS = new AtomicLong();
    /** The largest chunk the pool chooses by itself for {@code imap}: it bounds how far reading runs ahead. */
    private static final int MAX_LAZY_ADAPTIVE_CHUNK = 128;

    private final long id = IDS.incrementAndGet();
    private final Task<Object, Object> fn;
    @GuardedBy("this")
    private final Iterator<?> items;
    private final boolean lazy;
    private volatile Runnable onRoom = () -> { };

    @GuardedBy("this")
    private int chunksize;
    @GuardedBy("this")
    private long maxItemsAhead;
    private final long chunksAhead;
    @GuardedBy("this")
    private ChunkSizer sizer;
    @GuardedBy("this")
    private ChunkMemory memory;

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
        int first = sizer.first(knownTotal() - itemsRead());
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
        if (sizer != null && !ended()) {
            setChunksize(sizer.next(chunksize, items, executeNanos, knownTotal() - itemsRead()));
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
        return !lazy && itemsRead() == 0 && !ended() && knownTotal() <= chunksize;
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
        if (readingStopped()) {
            return null;
        }
        long room = lazy ? maxItemsAhead - (itemsRead() - itemsTaken()) : Long.MAX_VALUE;
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
                exhaust();
            }
        } catch (RuntimeException | LinkageError | StackOverflowError | AssertionError e) {
            // The caller's iterator failed: that ends this call, not the pool that runs it.
            exhaust();
            end(new PoolException("the items' iterator threw " + e, e));
            return null;
        }
        if (read < n) {
            exhaust();
            if (read == 0) {
                maybeFinish();
                return null;
            }
            chunkItems = java.util.Arrays.copyOf(chunkItems, read);
        }
        Chunk chunk = new Chunk(this, itemsRead(), chunkItems);
        handedOut(read);
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
        sliced();
        return new Chunk(this, chunk.firstIndex() + from, java.util.Arrays.copyOfRange(chunk.items(), from, to));
    }

    /**
     * Stops reading items, as a shutdown does for lazy calls: what was read still completes.
     */
    public final void stopReading() {
        try {
            synchronized (this) {
                if (exhaust()) {
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
     * Tells a lazy call's dispatcher that the caller took results, so more items may be read.
     */
    protected final void signalRoom() {
        onRoom.run();
    }

    /** A shutdown stopped reading items. Called under the call's lock. */
    @GuardedBy("this")
    protected void truncated() {
    }
}
