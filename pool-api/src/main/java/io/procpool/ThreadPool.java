package io.procpool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.internal.PoolNames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
    private final int threads;
    private final int maxChunksInFlight;
    /** The threads' start (their initializer, build()'s wait for it) and join()'s wait for their exit. */
    private final ThreadPoolThreads poolThreads;
    private final ThreadPoolExecutor executor;
    @GuardedBy("this")
    private final List<Call> calls = new ArrayList<>();
    private final PoolCounters stats = new PoolCounters();
    private final ThreadLocal<Boolean> runningOnThisPool = ThreadLocal.withInitial(() -> false);
    /** Which call each of the pool's threads is running a chunk of, so that cancelling a call interrupts them. */
    @GuardedBy("this")
    private final Map<Thread, Call> running = new HashMap<>();
    @GuardedBy("this")
    private int chunksInFlight;
    /** Chunks handed to the executor that no thread has begun: they may still be taken back. */
    @GuardedBy("this")
    private final Set<Chunk> handedAhead = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Calls a thread has begun a chunk of, until they finish. */
    @GuardedBy("this")
    private final Set<Call> begun = Collections.newSetFromMap(new IdentityHashMap<>());
    @GuardedBy("this")
    private boolean accepting = true;
    @GuardedBy("this")
    private boolean terminated;

    private ThreadPool(int threads, String name, Initializer initializer) {
        super(name);
        this.threads = threads;
        this.maxChunksInFlight = 2 * threads;
        this.poolThreads = new ThreadPoolThreads(threads, initializer, this::stop, stats.liveWorkers);
        this.stats.workersStarted.add(threads);
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), poolThreads.threadFactory(name));
    }

    /**
     * Creates a pool of {@code threads} threads, as {@code builder().threads(threads).build()} does. The threads are
     * daemon threads, named {@code procpool-<pool>-thread-<n>} after the pool's made-up {@linkplain Pool#name() name}.
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
        call.onRoom(() -> dispatch(false));
        call.onCancel(() -> {
            if (call.stopsRunning()) {
                interruptRunning(call);
            }
        });
        dispatch(false);
    }

    /**
     * Starts chunks while threads are free, taking from the calls in turn.
     *
     * @param chunkEnded whether a thread has just ended a chunk, and frees its place: counted under the same lock, so
     *                   that a thread takes the pool's lock once to end a chunk and start the next (each contended
     *                   acquisition may park a thread, which costs more than a tiny task)
     */
    private void dispatch(boolean chunkEnded) {
        List<Chunk> toRun = new ArrayList<>();
        synchronized (this) {
            if (chunkEnded) {
                chunksInFlight--;
            }
            boolean progress = true;
            while (chunksInFlight < maxChunksInFlight && progress) {
                progress = false;
                for (int i = 0; i < calls.size() && chunksInFlight < maxChunksInFlight; i++) {
                    Chunk chunk = calls.get(i).nextChunk();
                    if (chunk != null) {
                        toRun.add(chunk);
                        if (mayBeTakenBack(chunk)) {
                            handedAhead.add(chunk);
                        }
                        chunksInFlight++;
                        progress = true;
                    }
                }
            }
            calls.removeIf(Call::isFinished);
            // Each unfinished call a thread has begun is among the calls, so only then can a finished one be here: not
            // asked of every call on every dispatch, which takes each call's lock per chunk.
            if (begun.size() > calls.size()) {
                begun.removeIf(Call::isFinished);
            }
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
    protected Set<MapCall> cancelReportingUnstarted(List<MapCall> calls) {
        Set<MapCall> unstarted = Collections.newSetFromMap(new IdentityHashMap<>());
        List<MapCall> others = new ArrayList<>();
        synchronized (this) {
            for (MapCall call : calls) {
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

    /**
     * Whether a chunk is one {@link #cancelReportingUnstarted} may take back: the whole of a call of one item, which is
     * what the ExecutorService view submits and all that its {@code shutdownNow()} asks about. Only those are kept in
     * {@link #handedAhead} and {@link #begun}: keeping every chunk of a {@code map} there cost a map of tiny tasks
     * at chunksize 1 about a third of its rate.
     */
    private static boolean mayBeTakenBack(Chunk chunk) {
        return chunk.firstIndex() == 0 && chunk.size() == 1;
    }

    /** A thread cannot be killed: interrupting it is how a thread pool stops a running task. */
    private void interruptRunning(Call call) {
        synchronized (this) {
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
            boolean tracked = mayBeTakenBack(chunk);
            takenBack = tracked && !handedAhead.remove(chunk);
            if (tracked && !takenBack) {
                begun.add(chunk.call());
            }
            running.put(self, chunk.call());
        }
        try {
            if (takenBack) {
                chunk.call().abandon(chunk); // its call was cancelled before the chunk began: it is owed nothing
            } else {
                runningOnThisPool.set(true);
                ThreadPoolChunks.run(chunk, stats);
            }
        } finally {
            synchronized (this) {
                running.remove(self);
            }
            // An interrupt meant for the cancelled call must not reach what this thread runs next: reading a lazy
            // call's items in dispatch, or its next chunk.
            Thread.interrupted();
        }
        dispatch(true);
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
        dispatch(false);
    }

    @Override
    public void join() {
        synchronized (this) {
            if (accepting) {
                throw new IllegalStateException("join() needs shutdown() or terminate() first");
            }
        }
        poolThreads.awaitExit(executor);
        withdrawMXBean();
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
        withdrawMXBean();
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
        return "ThreadPool[name=" + name() + ", threads=" + threads + "]";
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
        private boolean jmx;

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
         * Names the pool, as {@code ProcessPool.builder().name(...)} does: its threads are named
         * {@code procpool-<name>-thread-<n>}, counting from 1, and its {@link ThreadPool#name()} and
         * {@code toString()} show it. Without a name the pool makes one up, {@code pool-<n>} (see
         * {@link Pool#name()}).
         *
         * @param name the pool's name: not blank, no white space at either end, no control character and none of
         *             {@code , = : * ? " \ [ ]}, which would break a thread dump, a log prefix or a JMX name
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is {@code null} or not such a name, quoting it
         */
        public Builder name(String name) {
            this.name = PoolNames.check(name);
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
         * Registers the pool's {@link io.procpool.metrics.PoolMXBean} as {@code io.procpool:type=Pool,name=<name>}
         * in the platform MBean server, as {@code ProcessPool.builder().jmx(true)} does; it is unregistered when the
         * pool is closed, joined or terminated. Off by default. {@link #build()} refuses a name whose bean another
         * pool of this JVM has registered.
         *
         * @param jmx whether to register the pool's JMX bean
         * @return this builder
         */
        public Builder jmx(boolean jmx) {
            this.jmx = jmx;
            return this;
        }

        /**
         * Starts every thread and waits until each has run the initializer, or one has thrown.
         *
         * @return a new pool with these settings, ready for work
         * @throws IllegalArgumentException for a bad setting, naming it, or a JMX bean of this name registered already
         * @throws PoolException            if an initializer threw (its exception is the cause), did not return
         *                                  within the start timeout, or the calling thread was interrupted; the
         *                                  pool's threads are then stopped
         */
        public ThreadPool build() {
            ThreadPoolThreads.checkSettings(threads, startTimeout);
            ThreadPool pool = new ThreadPool(threads, PoolNames.orMadeUp(name), initializer);
            if (jmx) {
                pool.exposeMXBean(); // before any thread starts: a start that fails stops the pool, and withdraws it
            }
            pool.poolThreads.startThreads(pool.executor, startTimeout);
            return pool;
        }
    }
}
