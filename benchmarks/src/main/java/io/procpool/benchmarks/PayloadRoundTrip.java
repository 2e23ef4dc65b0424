package io.procpool.benchmarks;

import io.procpool.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The latency of {@code apply} with an identity task on a {@code byte[]} from 16 bytes to 64 MiB: how the cost of
 * the process boundary grows with the data that crosses it (serialised, written to the queue, read, deserialised,
 * and the same again for the result), against a thread pool that passes a reference. Where the line bends is where
 * a task is better off given a file path than the data itself. Payloads over 4 MiB also exercise the queue's
 * fragmenting of large messages.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PayloadRoundTrip extends BenchmarkDefaults {
    private static final Task<byte[], byte[]> IDENTITY = bytes -> bytes;

    /** The payload's length in bytes. */
    @Param({"16", "1024", "65536", "1048576", "16777216", "67108864"})
    public int size;

    private byte[] payload;

    /** Fills the payload once, with random bytes so that no layer can benefit from runs of zeros. */
    @Setup(Level.Trial)
    public void prepare() {
        payload = new byte[size];
        new Random(42).nextBytes(payload);
    }

    /** {@code pool.apply(bytes -> bytes, payload)}. */
    @Benchmark
    public byte[] apply(PoolState state) {
        return state.pool.apply(IDENTITY, payload);
    }
}
