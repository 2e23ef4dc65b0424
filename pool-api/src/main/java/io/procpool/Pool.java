package io.procpool;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A pool of workers that apply {@link Task}s to items, with the semantics of Python's
 * {@code multiprocessing.Pool}. Two implementations share this contract: {@link ThreadPool} runs tasks on threads
 * of this JVM; {@code io.procpool.launcher.ProcessPool} runs them in child JVMs.
 *
 * <ul>
 *   <li>{@code map}, {@code mapAsync} and {@code imap} return results in item order; {@code imapUnordered} in
 *       completion order.</li>
 *   <li>Without a chunksize the pool chooses chunk sizes itself; an explicit chunksize is obeyed; below 1 it is an
 *       {@link IllegalArgumentException}.</li>
 *   <li>{@code imap} and {@code imapUnordered} read {@code items} lazily with a bounded number of chunks in flight,
 *       so an endless {@link Iterable} works in bounded memory. Their iterators deliver every item's outcome:
 *       {@code next()} returns the result or throws that item's {@link PoolException}, and iteration may go on
 *       after it, as in Python.</li>
 *   <li>{@code map} throws the first failure it receives and drops the call's remaining work.</li>
 *   <li>Calls that submit work after {@link #shutdown()}, {@link #terminate()} or {@link #close()} throw
 *       {@link IllegalStateException}.</li>
 * </ul>
 */
public interface Pool extends AutoCloseable {

    /**
     * Returns the number of workers: threads for a {@link ThreadPool}, worker processes for a process pool.
     *
     * @return the number of workers, at least 1
     */
    int size();

    /**
     * Returns the pool's name: the one its builder was given ({@code builder().name("ingest")}), or else one made up
     * as it was built, {@code pool-1}, {@code pool-2} and so on, unique among the names made up in this JVM. It names
     * the pool's threads ({@code procpool-ingest-loop}, ...), prefixes its workers' lines of output
     * ({@code [ingest worker 0 pid 4242]}) and is in the messages of its workers' crashes.
     *
     * @return the pool's name, never {@code null}
     */
    String name();

    /**
     * Applies {@code fn} to every item and returns the results in item order, blocking until all are done. The
     * pool chooses chunk sizes itself: at first Python's {@code ceil(n / (4 * size()))} or less, then from the
     * measured task durations.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @return the results, one per item, in item order; an empty list for no items
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     * @throws PoolException            the first failure received; the call's remaining work is dropped
     */
    <T, R> List<R> map(Task<? super T, ? extends R> fn, Iterable<? extends T> items);

    /**
     * As {@link #map(Task, Iterable)}, sending {@code chunksize} items to a worker at a time.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @param chunksize the number of items sent to a worker at a time, at least 1
     * @return the results, one per item, in item order; an empty list for no items
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     * @throws PoolException            the first failure received; the call's remaining work is dropped
     */
    <T, R> List<R> map(Task<? super T, ? extends R> fn, Iterable<? extends T> items, int chunksize);

    /**
     * As {@link #map(Task, Iterable)} without blocking: the future completes with the results, or exceptionally
     * with the exception {@code map} would throw.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @return a future of the results in item order; it completes exceptionally with a {@link PoolException} on
     *         the first failure
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalStateException    if the pool was shut down, terminated or closed
     */
    <T, R> CompletableFuture<List<R>> mapAsync(Task<? super T, ? extends R> fn, Iterable<? extends T> items);

    /**
     * As {@link #mapAsync(Task, Iterable)}, sending {@code chunksize} items to a worker at a time.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @param chunksize the number of items sent to a worker at a time, at least 1
     * @return a future of the results in item order; it completes exceptionally with a {@link PoolException} on
     *         the first failure
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     * @throws IllegalStateException    if the pool was shut down, terminated or closed
     */
    <T, R> CompletableFuture<List<R>> mapAsync(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                               int chunksize);

    /**
     * Lazily applies {@code fn} to the items, returning results in item order as they become available. Items
     * are read only as workers free up, one to a chunk unless measured task durations call for more, so an endless
     * {@link Iterable} works in bounded memory. An iterator abandoned before its end should be {@linkplain
     * CloseableIterator#close() closed}, so that its chunks not started are dropped.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @return an iterator of the results in item order; its {@code next()} throws the item's
     *         {@link PoolException} for an item that failed, and iteration may go on after it
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     */
    <T, R> CloseableIterator<R> imap(Task<? super T, ? extends R> fn, Iterable<? extends T> items);

    /**
     * As {@link #imap(Task, Iterable)}, sending {@code chunksize} items to a worker at a time.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @param chunksize the number of items sent to a worker at a time, at least 1
     * @return an iterator of the results in item order; its {@code next()} throws the item's
     *         {@link PoolException} for an item that failed, and iteration may go on after it
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     */
    <T, R> CloseableIterator<R> imap(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                     int chunksize);

    /**
     * Lazily applies {@code fn} to the items, returning results in the order they complete. Items are read as
     * for {@link #imap(Task, Iterable)}.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @return an iterator of the results in completion order; its {@code next()} throws the item's
     *         {@link PoolException} for an item that failed, and iteration may go on after it
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     */
    <T, R> CloseableIterator<R> imapUnordered(Task<? super T, ? extends R> fn, Iterable<? extends T> items);

    /**
     * As {@link #imapUnordered(Task, Iterable)}, sending {@code chunksize} items to a worker at a time.
     *
     * @param <T>       the item type
     * @param <R>       the result type
     * @param fn        the task to apply; it and the values it captures are sent to the workers
     * @param items     the items; {@code null} items are allowed
     * @param chunksize the number of items sent to a worker at a time, at least 1
     * @return an iterator of the results in completion order; its {@code next()} throws the item's
     *         {@link PoolException} for an item that failed, and iteration may go on after it
     * @throws NullPointerException     if {@code fn} or {@code items} is {@code null}
     * @throws IllegalArgumentException if {@code chunksize} is less than 1
     * @throws IllegalStateException    if the pool was shut down, terminated or closed, or if called from one of
     *                                  the pool's own threads or callbacks, where waiting could last forever
     */
    <T, R> CloseableIterator<R> imapUnordered(Task<? super T, ? extends R> fn, Iterable<? extends T> items,
                                              int chunksize);

    /**
     * Applies {@code fn} to one argument in a worker and waits for the result.
     *
     * @param <T> the argument type
     * @param <R> the result type
     * @param fn  the task to apply; it and the values it captures are sent to the worker
     * @param arg the argument, possibly {@code null}
     * @return the task's result, possibly {@code null}
     * @throws NullPointerException  if {@code fn} is {@code null}
     * @throws IllegalStateException if the pool was shut down, terminated or closed, or if called from one of the
     *                               pool's own threads or callbacks, where waiting could last forever
     * @throws PoolException         if the task failed, its worker died, it timed out, or it could not cross the
     *                               process boundary
     */
    <T, R> R apply(Task<? super T, ? extends R> fn, T arg);

    /**
     * Applies {@code fn} to one argument in a worker without waiting.
     *
     * @param <T> the argument type
     * @param <R> the result type
     * @param fn  the task to apply; it and the values it captures are sent to the worker
     * @param arg the argument, possibly {@code null}
     * @return a future of the task's result; it completes exceptionally with the {@link PoolException} that
     *         {@link #apply(Task, Object)} would throw
     * @throws NullPointerException  if {@code fn} is {@code null}
     * @throws IllegalStateException if the pool was shut down, terminated or closed
     */
    <T, R> CompletableFuture<R> applyAsync(Task<? super T, ? extends R> fn, T arg);

    /**
     * Accepts no new work; work already submitted completes; then the workers exit. Python's {@code close()}.
     */
    void shutdown();

    /**
     * Waits until every worker has exited. Python's {@code join()}.
     *
     * @throws IllegalStateException if neither {@link #shutdown()} nor {@link #terminate()} was called first
     */
    void join();

    /**
     * Stops now: workers are killed and unfinished work fails. Python's {@code terminate()}.
     */
    void terminate();

    /**
     * {@link #shutdown()} then {@link #join()}; idempotent. Unlike Python's {@code with}, which terminates,
     * try-with-resources finishes the submitted work, as {@code ExecutorService.close()} does.
     */
    @Override
    void close();

    /**
     * Returns what the pool has done so far and what it cost. Safe to call at any time, from any thread.
     *
     * @return a snapshot of the counters and of the time and bytes that crossing the process boundary cost
     */
    PoolStats stats();

    /**
     * This pool as an {@link java.util.concurrent.ExecutorService}, for code written against the JDK's interfaces:
     * its tasks run in this pool's workers (for a pool of worker processes a task must be serialisable,
     * {@code (Callable<T> & Serializable) () -> ...}). It keeps the JDK's contract: {@code Future.get()} of a task
     * that threw fails with an {@link java.util.concurrent.ExecutionException} whose cause is the task's own
     * exception; {@code cancel(true)} stops a running task (a process pool kills and replaces the worker running
     * it, a thread pool interrupts its thread); {@code shutdown()} is this pool's {@link #shutdown()};
     * {@code shutdownNow()} also stops the view's running tasks and returns those that never started, in
     * submission order; {@code close()} waits at most 30 seconds for running tasks before it stops them. A time
     * limit per call is {@code invokeAll(tasks, timeout, unit)}, or {@code orTimeout(...)} on a future of
     * {@link #applyAsync} or {@link #mapAsync}.
     *
     * @return the view, the same one at every call
     */
    java.util.concurrent.ExecutorService asExecutorService();
}
