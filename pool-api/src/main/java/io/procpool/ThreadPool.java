package io.procpool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The in-process twin of the process pool: the same {@link Pool} contract, with tasks run on threads of this JVM.
 * Nothing is serialised, so it is the baseline that every cost of crossing a process boundary is measured against,
 * and the better choice whenever tasks need no isolation. Like Python's {@code multiprocessing.pool.ThreadPool}.
 *
 * <pre>{@code
 * try (Pool pool = ThreadPool.builder().threads(4).initializer(() -> Model.load("model.bin")).build()) {
 *     List<Label> labels = pool.map(image -> Model.current().classify(image), images);
 * }
 * }</pre>
 *
 * <p>Creating a pool starts all its threads and waits until each has run the initializer, if there is one, as
 * {@code ProcessPool} does with its workers.
 *
 * <p>A thread cannot be killed: {@link #terminate()} fails unfinished work and interrupts the threads, and
 * {@link #join()} then waits for tasks that ignore interrupts.
 */
public final class ThreadPool extends AbstractPool {
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();
    /** How long a failed start waits for the pool's threads to exit, so that none outlives build() in practice. */
    private static final long THREAD_EXIT_WAIT_MS = 5_000;

    private final int threads;
    private final String name;
    private final Initializer initializer;
    private final int maxChunksInFlight;
    private final ThreadPoolExecutor executor;
    @GuardedBy("this")
    private final List<Call> calls = new ArrayList<>();
    private final PoolCounters stats = new PoolCounters();
    private final ThreadLocal<Boolean> runningOnThisPool = ThreadLocal.withInitial(() -> false);
    /** Which call each of the pool's threads is running a chunk of, so that cancelling a call interrupts them. */
    @GuardedBy("running")
    private final Map<Thread, Call> running = new HashMap<>();
    /** Counted down by each thread once its initializer has returned, and to zero by the first that throws. */
    private final CountDownLatch initialised;
    /** The threads still in their initializer: the executor does not interrupt them, so a failed start does. */
    private final Set<Thread> initialising = ConcurrentHashMap.newKeySet();
    /** The first initializer failure, for build() to report. */
    private final AtomicReference<PoolException> initFailure = new AtomicReference<>();
    @GuardedBy("this")
    private int chunksInFlight;
    /** Chunks handed to the executor that no thread has begun: they may still be taken back. */
    @GuardedBy("this")
    private final java.util.Set<Chunk> handedAhead =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Calls a thread has begun a chunk of, until they finish. */
    @GuardedBy("this")
    private final java.util.Set<Call> begun = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    @GuardedBy("this")
    private boolean accepting = true;
    @GuardedBy("this")
    private boolean terminated;

    private ThreadPool(int threads, String name, Initializer initializer) {
        this.threads = threads;
        this.name = name;
        this.initializer = initializer;
        this.maxChunksInFlight = 2 * threads;
        this.initialised = new CountDownLatch(threads);
        String threadPrefix = name != null ? name + "-thread-"
                : "procpool-thread-" + POOL_NUMBER.incrementAndGet() + "-";
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadFactory factory = worker -> {
            Thread thread = new Thread(() -> runThread(worker), threadPrefix + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.stats.workersStarted.add(threads);
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory);
    }

    /**
     * Creates a pool of {@code threads} threads, as {@code builder().threads(threads).build()} does. The threads are
     * daemon threads, named {@code procpool-thread-<pool>-<thread>}.
     *
     * @param threads the number of threads, at least 1
     * @return a new pool, ready for work
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static ThreadPool create(int threads) {
        return builder().threads(threads).build();
    }

    /**
     * Starts the settings of a pool that needs more than the number of threads: an initializer, a name. The options
     * have the names of {@code ProcessPool.builder()}'s, so that moving between threads and processes is one line.
     * Nothing starts until {@link Builder#build()}.
     *
     * @return a builder for a pool with more settings than the number of threads
     */
    public static Builder builder() {
        return new Builder();
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
            stop(failure);
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
     */
    private void start(Duration startTimeout) {
        executor.prestartAllCoreThreads();
        if (initializer == null) {
            return; // nothing to wait for, and create() on an interrupted thread must not fail
        }
        boolean done;
        try {
            done = initialised.await(TimeUnit.NANOSECONDS.convert(startTimeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw abandonStart(new PoolException("interrupted while the pool's threads ran their initializer", e));
        }
        PoolException failure = initFailure.get();
        if (failure != null) {
            // A new exception, so that its stack trace is build()'s caller's, not the pool thread's.
            throw abandonStart(new PoolException(failure.getMessage(), failure.getCause()));
        }
        if (!done) {
            String stuck = initialising.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
            throw abandonStart(new PoolException("the initializer did not return within " + startTimeout
                    + " on thread(s) " + stuck + "; they were interrupted and the pool stopped"));
        }
    }

    /** Stops a pool that failed to start, and waits a little for its threads to exit. */
    private PoolException abandonStart(PoolException why) {
        stop(why);
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

    @Override
    public int size() {
        return threads;
    }

    /**
     * A task or callback running on this pool's threads that blocks on the pool could wait for a thread that is
     * itself: refused, as a process pool refuses it on its loop thread.
     */
    @Override
    protected void checkMayBlock() {
        if (runningOnThisPool.get()) {
            throw new IllegalStateException("a blocking call on a ThreadPool from one of its own threads could wait "
                    + "for itself forever; use the ...Async variants there");
        }
    }

    /** Handing a chunk to a thread costs a few microseconds: a fifth of a millisecond makes that negligible. */
    @Override
    protected long targetChunkNanos() {
        return 200_000;
    }

    @Override
    protected void submit(Call call) {
        synchronized (this) {
            if (!accepting) {
                throw new IllegalStateException("the pool is shut down and accepts no new work");
            }
            calls.add(call);
        }
        call.onRoom(this::dispatch);
        call.onCancel(() -> {
            if (call.stopsRunning()) {
                interruptRunning(call);
            }
        });
        dispatch();
    }

    /** Starts chunks while threads are free, taking from the calls in turn. */
    private void dispatch() {
        List<Chunk> toRun = new ArrayList<>();
        synchronized (this) {
            boolean progress = true;
            while (chunksInFlight < maxChunksInFlight && progress) {
                progress = false;
                for (int i = 0; i < calls.size() && chunksInFlight < maxChunksInFlight; i++) {
                    Chunk chunk = calls.get(i).nextChunk();
                    if (chunk != null) {
                        toRun.add(chunk);
                        handedAhead.add(chunk);
                        chunksInFlight++;
                        progress = true;
                    }
                }
            }
            calls.removeIf(Call::isFinished);
            begun.removeIf(Call::isFinished);
            if (!accepting && calls.isEmpty()) {
                executor.shutdown();
            }
        }
        for (Chunk chunk : toRun) {
            stats.tasksSubmitted.add(chunk.size());
            try {
                executor.execute(() -> run(chunk));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                chunk.call().fail(chunk, new PoolException("the pool was terminated"));
            }
        }
    }

    /**
     * A call none of whose chunks a thread has begun, with chunks waiting in the executor's queue handed ahead of a
     * free thread, has not started: its chunks are taken back, so that no thread starts them, and it is said so.
     */
    @Override
    protected java.util.Set<io.procpool.internal.MapCall> cancelReportingUnstarted(
            List<io.procpool.internal.MapCall> calls) {
        java.util.Set<io.procpool.internal.MapCall> unstarted =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<io.procpool.internal.MapCall> others = new ArrayList<>();
        synchronized (this) {
            for (io.procpool.internal.MapCall call : calls) {
                if (!begun.contains(call) && handedAhead.removeIf(chunk -> chunk.call() == call)) {
                    unstarted.add(call);
                } else {
                    others.add(call);
                }
            }
        }
        unstarted.forEach(call -> call.cancel(false));
        super.cancelReportingUnstarted(others); // cancels the running ones, latest first
        return unstarted;
    }

    /** A thread cannot be killed: interrupting it is how a thread pool stops a running task. */
    private void interruptRunning(Call call) {
        synchronized (running) {
            running.forEach((thread, itsCall) -> {
                if (itsCall == call) {
                    thread.interrupt();
                }
            });
        }
    }

    private void run(Chunk chunk) {
        Thread self = Thread.currentThread();
        boolean takenBack;
        synchronized (this) {
            takenBack = !handedAhead.remove(chunk);
            if (!takenBack) {
                begun.add(chunk.call());
            }
        }
        synchronized (running) {
            running.put(self, chunk.call());
        }
        try {
            if (takenBack) {
                chunk.call().abandon(chunk); // its call was cancelled before the chunk began: it is owed nothing
            } else {
                runChunk(chunk);
            }
        } finally {
            synchronized (running) {
                running.remove(self);
            }
            // An interrupt meant for the cancelled call must not reach the next chunk this thread runs.
            Thread.interrupted();
        }
        synchronized (this) {
            chunksInFlight--;
        }
        dispatch();
    }

    private void runChunk(Chunk chunk) {
        runningOnThisPool.set(true);
        long start = System.nanoTime();
        Object[] values = new Object[chunk.size()];
        PoolException[] failures = null;
        int ran = 0;
        for (int i = 0; i < chunk.size(); i++) {
            if (chunk.call().hasEnded()) {
                break; // the call failed or was cancelled: the rest of its items need not run
            }
            ran++;
            try {
                values[i] = chunk.call().fn().apply(chunk.items()[i]);
            } catch (Throwable t) {
                if (failures == null) {
                    failures = new PoolException[chunk.size()];
                }
                failures[i] = new TaskFailedException(t);
                stats.tasksFailed.increment();
            }
        }
        long elapsed = System.nanoTime() - start;
        chunk.call().chunkTimed(Math.max(1, ran), elapsed);
        stats.workerExecuteNanos.add(elapsed);
        stats.roundTripNanos.add(elapsed);
        stats.tasksCompleted.add(ran);
        stats.chunksCompleted.increment();
        chunk.call().complete(chunk, values, failures);
    }

    @Override
    public void shutdown() {
        List<Call> lazy = new ArrayList<>();
        synchronized (this) {
            if (!accepting) {
                return;
            }
            accepting = false;
            for (Call call : calls) {
                if (call.isLazy()) {
                    lazy.add(call);
                }
            }
        }
        lazy.forEach(Call::stopReading);
        dispatch();
    }

    @Override
    public void join() {
        synchronized (this) {
            if (accepting) {
                throw new IllegalStateException("join() needs shutdown() or terminate() first");
            }
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (executor.awaitTermination(1, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void terminate() {
        stop(new PoolException("the pool was terminated"));
    }

    /** Fails unfinished work with {@code failure}, and stops the threads. */
    private void stop(PoolException failure) {
        List<Call> toEnd;
        synchronized (this) {
            accepting = false;
            if (terminated) {
                return;
            }
            terminated = true;
            toEnd = new ArrayList<>(calls);
            calls.clear();
        }
        toEnd.forEach(call -> call.end(failure));
        executor.shutdownNow();
    }

    @Override
    protected synchronized boolean isShutdown() {
        return !accepting;
    }

    @Override
    protected boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    protected boolean awaitTermination(long nanos) throws InterruptedException {
        return executor.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public PoolStats stats() {
        return stats.snapshot();
    }

    @Override
    public String toString() {
        return name != null ? "ThreadPool[name=" + name + ", threads=" + threads + "]"
                : "ThreadPool[threads=" + threads + "]";
    }

    /**
     * The settings of a {@link ThreadPool}, from {@link ThreadPool#builder()}. Its options have the names of
     * {@code ProcessPool.builder()}'s, so that a program moves between threads and processes by changing one line.
     */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private Initializer initializer;
        private String name;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * Sets the number of threads; by default one per available processor.
         *
         * @param threads the number of threads; {@link #build()} refuses less than 1
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Sets code each thread runs once before its first task, like the {@code initializer} of Python's
         * {@code ThreadPool}: a {@link ThreadLocal} set here is there for every task the thread runs. If it throws on
         * any thread, {@link #build()} stops the pool's threads and throws a {@link PoolException} naming the thread,
         * with the initializer's exception as its cause. It cannot be stopped once running: an initializer that
         * never returns holds up {@link #build()} for the {@link #startTimeout(Duration) start timeout}.
         *
         * @param initializer the code to run, on each thread; {@code null} for none
         * @return this builder
         */
        public Builder initializer(Initializer initializer) {
            this.initializer = initializer;
            return this;
        }

        /**
         * Names the pool: its threads are named {@code <name>-thread-<n>}, counting from 1, and its
         * {@code toString()} shows it. Without a name they are {@code procpool-thread-<pool>-<n>}.
         *
         * @param name the pool's name, not blank
         * @return this builder
         * @throws NullPointerException     if {@code name} is {@code null}
         * @throws IllegalArgumentException if {@code name} is empty or only white space
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "a pool's name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a pool's name must not be blank, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Sets how long the threads may take to run their initializer; 60 seconds by default. After it
         * {@link #build()} interrupts the threads still in their initializer, stops the pool and throws a
         * {@link PoolException}; a thread whose initializer ignores interrupts lives on until it returns, since a
         * thread cannot be killed.
         *
         * @param startTimeout the longest the initializers may take, positive
         * @return this builder
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Starts every thread and waits until each has run the initializer, or one has thrown.
         *
         * @return a new pool with these settings, ready for work
         * @throws IllegalArgumentException for a bad setting, naming it
         * @throws PoolException            if an initializer threw (its exception is the cause), did not return
         *                                  within the start timeout, or the calling thread was interrupted; the
         *                                  pool's threads are then stopped
         */
        public ThreadPool build() {
            if (threads < 1) {
                throw new IllegalArgumentException("a pool needs at least 1 thread, was asked for " + threads);
            }
            if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
            }
            ThreadPool pool = new ThreadPool(threads, name, initializer);
            pool.start(startTimeout);
            return pool;
        }
    }
}
