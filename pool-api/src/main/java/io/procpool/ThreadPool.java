package io.procpool;

import io.procpool.internal.AbstractPool;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process twin of the process pool: the same {@link Pool} contract, with tasks run on threads of this JVM.
 * Nothing is serialised, so it is the baseline that every cost of crossing a process boundary is measured against,
 * and the better choice whenever tasks need no isolation. Like Python's {@code multiprocessing.pool.ThreadPool}.
 *
 * <p>A thread cannot be killed: {@link #terminate()} fails unfinished work and interrupts the threads, and
 * {@link #join()} then waits for tasks that ignore interrupts.
 */
public final class ThreadPool extends AbstractPool {
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final int threads;
    private final int maxChunksInFlight;
    private final ThreadPoolExecutor executor;
    private final List<Call> calls = new ArrayList<>();
    private final PoolCounters stats = new PoolCounters();
    private final ThreadLocal<Boolean> runningOnThisPool = ThreadLocal.withInitial(() -> false);
    /** Which call each of the pool's threads is running a chunk of, so that cancelling a call interrupts them. */
    private final Map<Thread, Call> running = new HashMap<>();
    private int chunksInFlight;
    private boolean accepting = true;
    private boolean terminated;

    private ThreadPool(int threads) {
        this.threads = threads;
        this.maxChunksInFlight = 2 * threads;
        int poolNumber = POOL_NUMBER.incrementAndGet();
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable,
                    "procpool-thread-" + poolNumber + "-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.stats.workersStarted.add(threads);
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory);
    }

    /**
     * Creates a pool of {@code threads} threads. The threads are daemon threads, named
     * {@code procpool-thread-<pool>-<thread>}.
     *
     * @param threads the number of threads, at least 1
     * @return a new pool, ready for work
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static ThreadPool create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, was asked for " + threads);
        }
        return new ThreadPool(threads);
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
                        chunksInFlight++;
                        progress = true;
                    }
                }
            }
            calls.removeIf(Call::isFinished);
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
        synchronized (running) {
            running.put(self, chunk.call());
        }
        try {
            runChunk(chunk);
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
        PoolException failure = new PoolException("the pool was terminated");
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
        return "ThreadPool[threads=" + threads + "]";
    }
}
