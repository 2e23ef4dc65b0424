package io.procpool.examples.compare;

import io.procpool.Task;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A bare JDK {@link ThreadPoolExecutor}, {@code submit(..).get()} per call: the floor under any pool's apply
 * latency in this JVM, so that what {@link io.procpool.ThreadPool} adds on top of a thread hand-off shows.
 */
final class ExecutorRunner implements Runner, AutoCloseable {
    private final ThreadPoolExecutor executor;

    ExecutorRunner(int threads) {
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "compare-executor");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    @Override
    public Engine engine() {
        return Engine.EXECUTOR;
    }

    @Override
    public <T, R> R apply(Task<? super T, ? extends R> fn, T arg) {
        try {
            return executor.submit(() -> fn.apply(arg)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the task failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
