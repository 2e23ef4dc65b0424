package io.procpool;

import io.procpool.internal.PoolNames;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The life of a {@link ThreadPool}'s threads, from their start to their exit: the checks of the builder's settings,
 * the threads' names, the initializer each thread runs before it takes a task, the wait in {@code build()} until every
 * thread has run it (or the stop of the pool when one throws or takes too long), and {@code join()}'s wait for the
 * threads to exit. It owns the start's state (the latch the threads count down, the threads still in their
 * initializer, the first failure), which the pool's work never reads, so that {@link ThreadPool} holds its API and
 * the running of chunks.
 */
final class ThreadPoolThreads {
    /** How long a failed start waits for the pool's threads to exit, so that none outlives build() in practice. */
    private static final long THREAD_EXIT_WAIT_MS = 5_000;

    private final Initializer initializer;
    /** The pool's stop: fails its unfinished work and stops its threads. */
    private final Consumer<PoolException> stopPool;
    /** Counted down by each thread once its initializer has returned, and to zero by the first that throws. */
    private final CountDownLatch initialised;
    /** The threads still in their initializer: the executor does not interrupt them, so a failed start does. */
    private final Set<Thread> initialising = ConcurrentHashMap.newKeySet();
    /** The first initializer failure, for build() to report. */
    private final AtomicReference<PoolException> initFailure = new AtomicReference<>();
    /** The pool's threads alive now, for its stats: each thread counts itself in and out. */
    private final LongAdder live;
    /**
     * The pool's threads that have not ended, for {@link #awaitExit}: the executor says it has terminated once its
     * last thread leaves the executor's loop, before that thread counts itself out of {@link #live}.
     */
    private final Set<Thread> unended = ConcurrentHashMap.newKeySet();

    /**
     * Prepares the start of a pool's threads; nothing starts until {@link #startThreads}.
     *
     * @param threads     the pool's number of threads
     * @param initializer what each thread runs before its first task, or {@code null}
     * @param stopPool    the pool's stop, for a thread whose initializer throws and for a start that fails
     * @param live        the count of the pool's threads alive, which each thread adds itself to while it runs
     */
    ThreadPoolThreads(int threads, Initializer initializer, Consumer<PoolException> stopPool, LongAdder live) {
        this.initializer = initializer;
        this.live = live;
        this.stopPool = stopPool;
        this.initialised = new CountDownLatch(threads);
    }

    /**
     * Checks the builder's settings, before anything starts.
     *
     * @param threads      the number of threads asked for
     * @param startTimeout the longest the initializers may take
     * @throws IllegalArgumentException for a bad setting, naming it
     */
    static void checkSettings(int threads, Duration startTimeout) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, was asked for " + threads);
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
        }
    }

    /**
     * Makes the factory of the pool's threads: daemon threads, named after the pool, that run the initializer
     * before the executor's loop.
     *
     * @param name the pool's name
     * @return the factory of the pool's threads, named {@code procpool-<name>-thread-<n>}
     */
    ThreadFactory threadFactory(String name) {
        AtomicInteger threadNumber = new AtomicInteger();
        return worker -> {
            Thread thread = new Thread(() -> {
                live.increment();
                try {
                    runThread(worker);
                } finally {
                    live.decrement();
                }
            },
                    PoolNames.thread(name, "thread-" + threadNumber.incrementAndGet()));
            thread.setDaemon(true);
            unended.add(thread);
            return thread;
        };
    }

    /**
     * What each of the pool's threads runs: the initializer, then the executor's loop. Running the initializer here,
     * rather than as a first task, means that no thread of the pool, including one the executor makes to replace a
     * thread that died, ever takes a task before its initializer has returned.
     */
    private void runThread(Runnable executorLoop) {
        Thread self = Thread.currentThread();
        initialising.add(self);
        try {
            if (initializer != null) {
                initializer.run();
            }
        } catch (Throwable t) {
            PoolException failure = new PoolException("the initializer failed on thread " + self.getName()
                    + ": " + t, t);
            initFailure.compareAndSet(null, failure);
            // Stopped before this thread enters the loop below, so that it takes no task; after build() this also
            // fails the pool's unfinished work, as a thread pool must not carry on with an uninitialised thread.
            stopPool.accept(failure);
            // The pool will not start: build() need not wait for the other threads (some may never be created).
            while (initialised.getCount() > 0) {
                initialised.countDown();
            }
        } finally {
            initialising.remove(self);
            initialised.countDown();
        }
        // Even on a stopped pool the loop must run: it is how the executor counts this thread out and terminates.
        executorLoop.run();
    }

    /**
     * Starts every thread, and waits until each has run the initializer or one has failed; on a failure stops them
     * and says why.
     *
     * @param executor     the pool's executor, made with {@link #threadFactory}
     * @param startTimeout the longest the initializers may take
     * @throws PoolException if an initializer threw, did not return in time, or the caller was interrupted
     */
    void startThreads(ThreadPoolExecutor executor, Duration startTimeout) {
        executor.prestartAllCoreThreads();
        if (initializer == null) {
            return; // nothing to wait for, and create() on an interrupted thread must not fail
        }
        boolean done;
        try {
            done = initialised.await(TimeUnit.NANOSECONDS.convert(startTimeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw abandon(executor,
                    new PoolException("interrupted while the pool's threads ran their initializer", e));
        }
        PoolException failure = initFailure.get();
        if (failure != null) {
            // A new exception, so that its stack trace is build()'s caller's, not the pool thread's.
            throw abandon(executor, new PoolException(failure.getMessage(), failure.getCause()));
        }
        if (!done) {
            String stuck = initialising.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
            throw abandon(executor, new PoolException("the initializer did not return within " + startTimeout
                    + " on thread(s) " + stuck + "; they were interrupted and the pool stopped"));
        }
    }

    /** Stops a pool that failed to start, and waits a little for its threads to exit. */
    private PoolException abandon(ThreadPoolExecutor executor, PoolException why) {
        stopPool.accept(why);
        initialising.forEach(Thread::interrupt);
        boolean interrupted = Thread.interrupted();
        try {
            executor.awaitTermination(THREAD_EXIT_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return why;
    }

    /**
     * Waits until the pool's threads have exited, however long that takes, as {@code join()} does: an interrupt
     * does not end the wait, and is kept for the caller. The executor's termination alone is not enough: it comes
     * as the last thread leaves the executor's loop, before the thread counts itself out of the live workers.
     *
     * @param executor the pool's executor, shut down
     */
    void awaitExit(ThreadPoolExecutor executor) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (executor.awaitTermination(1, TimeUnit.SECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (Thread thread : unended) {
                while (true) {
                    try {
                        thread.join(); // no thread is left that could take work: it is on its way out
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                unended.remove(thread);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
