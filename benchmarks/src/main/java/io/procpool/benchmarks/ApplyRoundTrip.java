package io.procpool.benchmarks;

import io.procpool.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The latency of one {@code apply} of a task that does nothing: the fixed cost a pool adds to every call, with no
 * work and the smallest possible payload to hide it. For a process pool that is serialising the function and the
 * argument, a queue hop each way and waking the worker and the caller; for a thread pool, the hand-off between
 * threads. Measured as the mean and as a distribution (sample mode, with percentiles), since one slow wake-up in a
 * thousand matters to a caller as much as the mean. {@link #executorBaseline} is the floor: a bare JDK
 * {@code ThreadPoolExecutor} of one thread, {@code submit().get()}.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ApplyRoundTrip extends BenchmarkDefaults {
    private static final Task<Integer, Integer> IDENTITY = x -> x;
    private static final Integer ARGUMENT = 1;

    /** {@code pool.apply(x -> x, 1)}. */
    @Benchmark
    public Integer apply(PoolState state) {
        return state.pool.apply(IDENTITY, ARGUMENT);
    }

    /** The same hand-off on a plain executor, without procpool: what any thread pool costs at least. */
    @Benchmark
    public Integer executorBaseline(ExecutorState state) throws InterruptedException, ExecutionException {
        return state.executor.submit(state.task).get();
    }

    /**
     * A JDK {@code ThreadPoolExecutor} with one thread. A state of its own, not {@link PoolState}, so the baseline
     * runs once rather than once per pool kind.
     */
    @State(Scope.Benchmark)
    public static class ExecutorState {
        ThreadPoolExecutor executor;
        final Callable<Integer> task = () -> ARGUMENT;

        /** Starts the executor's thread. */
        @Setup(Level.Trial)
        public void start() {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
            executor.prestartAllCoreThreads();
        }

        /** Stops the executor's thread. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
