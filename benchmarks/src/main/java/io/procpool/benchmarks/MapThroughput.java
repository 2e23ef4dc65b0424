package io.procpool.benchmarks;

import io.procpool.Task;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The throughput of {@code map} over {@value #ITEMS} trivial items, by chunk size: how much per-item cost
 * chunking amortises. With a chunk of 1 every item pays a message each way; with larger chunks the boundary is
 * crossed once per chunk, and the pool approaches the cost of serialising the items themselves. {@code default}
 * calls the overload without a chunk size, to check that the pool's own choice is as good as the best explicit one.
 *
 * <p>The primary score is items per second ({@code @OperationsPerInvocation}); the secondary score {@code calls}
 * is {@code map} calls per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MapThroughput extends BenchmarkDefaults {
    /** Items per {@code map} call. */
    public static final int ITEMS = 100_000;

    private static final Task<Integer, Integer> SQUARE = x -> x * x;

    /** Items sent to a worker at a time, or {@code default} for the pool's own choice. */
    @Param({"1", "16", "256", "default"})
    public String chunksize;

    private List<Integer> items;
    private int explicitChunksize;

    /** Boxes the items once, outside the measurement. */
    @Setup(Level.Trial)
    public void prepare() {
        items = IntStream.range(0, ITEMS).boxed().collect(Collectors.toList());
        explicitChunksize = "default".equals(chunksize) ? 0 : Integer.parseInt(chunksize);
    }

    /** {@code pool.map(x -> x * x, items, chunksize)}. */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public List<Integer> map(PoolState state, Calls calls) {
        calls.calls++;
        return explicitChunksize == 0 ? state.pool.map(SQUARE, items) : state.pool.map(SQUARE, items, explicitChunksize);
    }

    /**
     * Counts {@code map} calls, which JMH reports as a rate beside the primary score: a per-call figure that does
     * not have to be worked back out of items per second.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Calls {
        /** {@code map} calls in the current iteration; JMH zeroes it before each iteration. */
        public long calls;
    }
}
