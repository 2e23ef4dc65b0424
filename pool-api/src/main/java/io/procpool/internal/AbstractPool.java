package io.procpool.internal;

import io.procpool.CloseableIterator;
import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.Task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * The calls of {@link Pool} in one place, for both pools: argument checks, default chunk sizes, and waiting for
 * results. A pool supplies {@link #submit(Call)}, which hands a call's chunks to its workers.
 */
public abstract class AbstractPool implements Pool {
    private static final long AWAKE_WAIT_NANOS = 50_000;
    /** What this pool learnt of its tasks' durations, shared by its calls. */
    private final ChunkMemory chunkMemory = new ChunkMemory();
    private volatile PoolExecutorService executorView;
    private final String name;
    /** The pool's JMX bean, for a pool built with {@code jmx(true)}; null otherwise. */
    private volatile PoolBeans.Registration mxBean;

    /**
     * Creates a pool with nothing learnt of task durations yet.
     *
     * @param name the pool's name, checked by {@link PoolNames#check} or made up by {@link PoolNames#orMadeUp}
     */
    protected AbstractPool(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Starts running a call's chunks.
     *
     * @param call the call, not yet started
     * @throws IllegalStateException if the pool no longer accepts work
     */
    protected abstract void submit(Call call);

    /**
     * Starts a call whose caller then waits for it. A pool may run such a call on the calling thread, when that is
     * quicker than handing it to the pool's own threads; by default it is {@link #submit submitted}.
     *
     * @param call the call, not yet started
     * @throws IllegalStateException if the pool no longer accepts work
     */
    protected void submitAndRun(Call call) {
        submit(call);
    }

    /**
     * Refuses to block where blocking would wait forever, such as on a pool's own callback thread.
     *
     * @throws IllegalStateException if the calling thread must not block on this pool
     */
    protected void checkMayBlock() {
    }

    /**
     * Returns how far a lazy call ({@code imap}, {@code imapUnordered}) may read ahead of its caller, in chunks; by
     * default two per worker and two more.
     *
     * @return how many chunks a lazy call may have read ahead of its caller
     */
    protected int lazyChunksAhead() {
        return 2 * size() + 2;
    }

    /**
     * Returns the time a chunk should take in a worker when the pool chooses chunk sizes itself, in nanoseconds.
     *
     * @return how long a chunk should run in a worker when the pool chooses chunk sizes: long enough that sending
     * it costs little next to running it
     */
    protected abstract long targetChunkNanos();

    /**
     * Says whether the pool still accepts work.
     *
     * @return whether the pool no longer accepts work: {@link #shutdown()} or {@link #terminate()} was called, or it
     * is broken
     */
    protected abstract boolean isShutdown();

    /**
     * Says whether the pool has stopped for good.
     *
     * @return whether the pool stopped for good: shut down, its work done or dropped, its workers gone
     */
    protected abstract boolean isTerminated();

    /**
     * Waits until the pool {@link #isTerminated() stopped for good}, or the time is up.
     *
     * @param nanos the longest to wait
     * @return whether it stopped
     * @throws InterruptedException if the waiting thread was interrupted
     */
    protected abstract boolean awaitTermination(long nanos) throws InterruptedException;

    /**
     * Waits, at most {@code nanos}, for a future that completes when a pool has stopped for good, for
     * {@link #awaitTermination}: completing exceptionally counts as stopped too.
     *
     * @param stopped the pool's stopped future
     * @param nanos   the longest to wait
     * @return whether it completed in time
     * @throws InterruptedException if the waiting thread was interrupted
     */
    public static boolean awaitStopped(java.util.concurrent.Future<?> stopped, long nanos)
            throws InterruptedException {
        try {
            stopped.get(Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * Says where tasks run.
     *
     * @return whether tasks run in other JVMs, so that the {@link #asExecutorService() ExecutorService view}
     * asks for serialisable ones
     */
    protected boolean tasksLeaveThisJvm() {
        return false;
    }

    /**
     * Cancels calls that were handed to the pool's workers, as {@code cancel(true)} does, and says which of them
     * never started: those a worker held but had not begun. The {@link #asExecutorService() view}'s
     * {@code shutdownNow()} returns such tasks rather than losing them. By default it cannot tell, and says none.
     *
     * @param calls the calls, in submission order; none of them can be cancelled before it is handed on
     * @return those of {@code calls} that never started, now cancelled
     */
    protected java.util.Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        // Latest first, so that stopping a running task does not free a worker for a later one about to be cancelled.
        for (int i = calls.size() - 1; i >= 0; i--) {
            calls.get(i).cancel(true);
        }
        return java.util.Set.of();
    }

    /**
     * Checks, on the caller's thread, that a value can cross to where this pool's tasks run, for calls whose
     * failure would otherwise reach nobody ({@code execute} of the {@link #asExecutorService() view}). Does nothing
     * for a pool whose tasks stay in this JVM.
     *
     * @param value the value to check
     * @throws io.procpool.SerializationException if it cannot cross, naming the class that cannot
     */
    protected void checkCrosses(Object value) {
    }

    @Override
    public final ExecutorService asExecutorService() {
        PoolExecutorService view = executorView;
        if (view == null) {
            synchronized (this) {
                if (executorView == null) {
                    executorView = new PoolExecutorService(this,
                            Duration.ofSeconds(PoolExecutorService.CLOSE_GRACE_SECONDS));
                }
                view = executorView;
            }
        }
        return view;
    }

    /**
     * Registers the pool's JMX bean, {@code io.procpool:type=Pool,name=<name>}, for a builder's {@code jmx(true)}; it
     * goes when the pool closes, or earlier when the pool calls {@link #withdrawMXBean()}.
     *
     * @throws IllegalArgumentException if another pool of this name has its bean registered, naming the name
     */
    protected final void exposeMXBean() {
        mxBean = PoolBeans.register(name, this::stats);
    }

    /**
     * Registers the pool's JMX bean as {@link #exposeMXBean()} does, for a pool that has started already: if the
     * name is taken, the pool is terminated before the error is thrown, so that nothing of it is left running.
     *
     * @throws IllegalArgumentException if another pool of this name has its bean registered, naming the name
     */
    protected final void exposeMXBeanOrTerminate() {
        try {
            exposeMXBean();
        } catch (RuntimeException e) {
            terminate();
            throw e;
        }
    }

    /** Unregisters the pool's JMX bean, if it has one; any number of times, from any thread. */
    protected final void withdrawMXBean() {
        PoolBeans.Registration registered = mxBean;
        if (registered != null) {
            registered.close();
        }
    }

    /** {@link #shutdown()} then {@link #join()}, as the contract says, for both pools; then the JMX bean goes. */
    @Override
    public final void close() {
        shutdown();
        try {
            join();
        } finally {
            withdrawMXBean();
        }
    }

    @Override
    public final <T, R> List<R> map(Task<? super T, ? extends R> fn, Iterable<? extends T> items) {
        checkMayBlock();
        return await(startMap(fn, items, 0));
    }

    @Override
    public final <T, R> List<R> map(Task<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize) {
        checkMayBlock();
        return await(startMap(fn, items, checkChunksize(chunksize)));
    }

    @Override
    public final <T, R> CompletableFuture<List<R>> mapAsync(Task<? super T, ? extends R> fn,
                                                            Iterable<? extends T> items) {
        return asFuture(() -> startMap(fn, items, 0));
    }

    @Override
    public final <T, R> CompletableFuture<List<R>> mapAsync(Task<? super T, ? extends R> fn,
                                                            Iterable<? extends T> items, int chunksize) {
        checkChunksize(chunksize);
        return asFuture(() -> startMap(fn, items, chunksize));
    }

    /**
     * A failure of the work itself (a function that cannot be serialised) completes the future, as the contract
     * says; misuse (a null task, a pool that is shut down) still throws at once.
     */
    private static <V> CompletableFuture<V> asFuture(java.util.function.Supplier<CompletableFuture<V>> start) {
        try {
            return start.get();
        } catch (PoolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public final <T, R> CloseableIterator<R> imap(Task<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return startLazy(fn, items, 0, true);
    }

    @Override
    public final <T, R> CloseableIterator<R> imap(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                         int chunksize) {
        return startLazy(fn, items, checkChunksize(chunksize), true);
    }

    @Override
    public final <T, R> CloseableIterator<R> imapUnordered(Task<? super T, ? extends R> fn,
                                                           Iterable<? extends T> items) {
        return startLazy(fn, items, 0, false);
    }

    @Override
    public final <T, R> CloseableIterator<R> imapUnordered(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                                  int chunksize) {
        return startLazy(fn, items, checkChunksize(chunksize), false);
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T, R> R apply(Task<? super T, ? extends R> fn, T arg) {
        checkMayBlock();
        Objects.requireNonNull(fn, "fn");
        return await(asFuture(() -> {
            MapCall call = MapCall.ofOne(fn, arg);
            submitAndRun(call);
            return (CompletableFuture<R>) (CompletableFuture<?>) call.future();
        }));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T, R> CompletableFuture<R> applyAsync(Task<? super T, ? extends R> fn, T arg) {
        Objects.requireNonNull(fn, "fn");
        return asFuture(() -> {
            MapCall call = MapCall.ofOne(fn, arg);
            submit(call);
            return (CompletableFuture<R>) (CompletableFuture<?>) call.future();
        });
    }

    @SuppressWarnings("unchecked")
    private <T, R> CompletableFuture<List<R>> startMap(Task<? super T, ? extends R> fn,
                                                       Iterable<? extends T> items, int chunksize) {
        Objects.requireNonNull(fn, "fn");
        List<?> list = materialise(Objects.requireNonNull(items, "items"));
        MapCall call = MapCall.ofList(fn, list,
                chunksize > 0 ? chunksize : ChunkSizer.firstMapChunk(list.size(), size()));
        if (chunksize <= 0) {
            call.adaptChunks(targetChunkNanos(), size(), chunkMemory);
        }
        submit(call);
        return (CompletableFuture<List<R>>) (CompletableFuture<?>) call.future();
    }

    @SuppressWarnings("unchecked")
    private <T, R> CloseableIterator<R> startLazy(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                         int chunksize, boolean ordered) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        checkMayBlock();
        int size = chunksize > 0 ? chunksize : 1;
        IteratorCall call = new IteratorCall(fn, items.iterator(), size, ordered,
                (long) size * lazyChunksAhead());
        if (chunksize <= 0) {
            call.adaptChunks(targetChunkNanos(), size(), chunkMemory);
        }
        submit(call);
        return (CloseableIterator<R>) call;
    }

    /** A copy: the caller may change its collection after the call, and the call sizes its results now. */
    private static List<?> materialise(Iterable<?> items) {
        if (items instanceof Collection) {
            return Arrays.asList(((Collection<?>) items).toArray());
        }
        List<Object> list = items instanceof Collection ? new ArrayList<>(((Collection<?>) items).size())
                : new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    /**
     * Checks an explicit chunksize.
     *
     * @param chunksize the chunksize a caller asked for
     * @return {@code chunksize} if it is at least 1
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     */
    protected static int checkChunksize(int chunksize) {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be at least 1, was " + chunksize);
        }
        return chunksize;
    }

    /**
     * Waits for a call's future, turning its failure back into the exception the synchronous call throws. An
     * interrupted caller ends the call, keeps its interrupt status and gets a {@link PoolException}.
     */
    @SuppressWarnings("unchecked")
    private static <V> V await(CompletableFuture<?> future) {
        // A result that takes only microseconds is worth waiting for awake: parking and being unparked costs more
        // than the whole round trip. Yielding, not spinning, so the threads that produce the result get the CPU.
        long spinUntil = System.nanoTime() + AWAKE_WAIT_NANOS;
        while (!future.isDone() && System.nanoTime() < spinUntil) {
            Thread.yield();
        }
        try {
            return (V) future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            PoolException interrupted = new PoolException("interrupted while waiting for results; "
                    + "the call's remaining work was dropped", e);
            future.completeExceptionally(interrupted);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PoolException) {
                throw CallerStack.of((PoolException) cause);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new PoolException("call failed", cause);
        }
    }
}
