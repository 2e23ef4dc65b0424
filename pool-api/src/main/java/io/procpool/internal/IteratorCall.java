package io.procpool.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.CloseableIterator;
import io.procpool.PoolException;
import io.procpool.Task;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A lazy call ({@code imap}, {@code imapUnordered}) and the iterator its caller reads. Each item's outcome is
 * delivered once: {@code next()} returns the result or throws the item's {@link PoolException}, and iteration may
 * continue after a failure, as in Python. Reading the items is bounded by what the caller has taken.
 */
public final class IteratorCall extends Call implements CloseableIterator<Object> {
    private static final Object NONE = new Object();

    private final boolean ordered;
    @GuardedBy("this")
    private final Map<Long, Object> byIndex;
    @GuardedBy("this")
    private final ArrayDeque<Object> byArrival;
    @GuardedBy("this")
    private long taken;
    @GuardedBy("this")
    private long settled;
    @GuardedBy("this")
    private PoolException endFailure;
    @GuardedBy("this")
    private boolean endReported;
    @GuardedBy("this")
    private boolean truncated;
    @GuardedBy("this")
    private boolean closed;

    /**
     * Creates a lazy call; its items are read only when a pool asks for its next chunk.
     *
     * @param fn            the task
     * @param items         the items, read on demand
     * @param chunksize     items per chunk, at least 1
     * @param ordered       item order ({@code imap}) rather than completion order ({@code imapUnordered})
     * @param maxItemsAhead the most items read but not yet taken by the caller
     */
    public IteratorCall(Task<?, ?> fn, Iterator<?> items, int chunksize, boolean ordered, long maxItemsAhead) {
        super(fn, items, chunksize, true, maxItemsAhead);
        this.ordered = ordered;
        this.byIndex = ordered ? new HashMap<>() : null;
        this.byArrival = ordered ? null : new ArrayDeque<>();
    }

    @Override
    @GuardedBy("this")
    protected long itemsTaken() {
        return taken;
    }

    @Override
    @GuardedBy("this")
    protected void onValue(long index, Object value) {
        store(index, value == null ? NullValue.INSTANCE : value);
    }

    @Override
    @GuardedBy("this")
    protected void onFailure(long index, PoolException failure) {
        store(index, new Failed(failure));
    }

    @GuardedBy("this")
    private void store(long index, Object outcome) {
        settled++;
        if (ordered) {
            byIndex.put(index, outcome);
        } else {
            byArrival.add(outcome);
        }
        notifyAll();
    }

    @Override
    @GuardedBy("this")
    protected void onAllDone(long count) {
        notifyAll();
    }

    @Override
    @GuardedBy("this")
    protected void onEnd(PoolException failure) {
        endFailure = failure;
        notifyAll();
    }

    @Override
    @GuardedBy("this")
    protected void truncated() {
        truncated = true;
        notifyAll();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        cancel(false, new PoolException("the iterator was closed"));
    }

    @Override
    public boolean hasNext() {
        synchronized (this) {
            while (true) {
                if (closed) {
                    return false;
                }
                if (peek() != NONE) {
                    return true;
                }
                if (endFailure != null || (truncated && settled == taken && isFinished())) {
                    return !endReported;
                }
                if (isFinished() && settled == taken) {
                    return false;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    end(new PoolException("interrupted while waiting for a result", e));
                    endReported = true;
                    throw new PoolException("interrupted while waiting for a result", e);
                }
            }
        }
    }

    @Override
    public Object next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Object outcome;
        synchronized (this) {
            outcome = peek();
            if (outcome == NONE) {
                endReported = true;
                throw endFailure != null ? CallerStack.of(endFailure)
                        : new PoolException("the pool was shut down before every item was read; "
                        + taken + " results were delivered");
            }
            if (ordered) {
                byIndex.remove(taken);
            } else {
                byArrival.poll();
            }
            taken++;
        }
        signalRoom();
        if (outcome instanceof Failed) {
            throw CallerStack.of(((Failed) outcome).failure);
        }
        return outcome == NullValue.INSTANCE ? null : outcome;
    }

    @GuardedBy("this")
    private Object peek() {
        Object outcome = ordered ? byIndex.get(taken) : byArrival.peek();
        return outcome == null ? NONE : outcome;
    }

    private enum NullValue { INSTANCE }

    private static final class Failed {
        final PoolException failure;

        Failed(PoolException failure) {
            this.failure = failure;
        }
    }
}
