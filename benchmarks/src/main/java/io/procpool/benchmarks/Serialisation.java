package io.procpool.benchmarks;

import io.procpool.worker.KryoCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A serialise-then-deserialise round trip with procpool's Kryo set-up ({@link KryoCodec}, exactly what a process
 * pool does to every function, item and result) against Java serialisation, the obvious alternative, for three
 * typical values: a small record, a list of 1000 boxed integers, and 1 MiB of bytes. It isolates the codec's share of
 * the process boundary's cost from the transport's (see {@link PayloadRoundTrip}). No pool is involved, so unlike
 * the other benchmarks this one has no pool kind.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Serialisation extends BenchmarkDefaults {
    /** Kryo's initial buffer in {@link KryoCodec}; Java serialisation gets the same, so neither pays more growth. */
    private static final int INITIAL_BUFFER_BYTES = 4096;

    /** The value serialised: {@code record}, {@code list1000} or {@code bytes1MiB}. */
    @Param({"record", "list1000", "bytes1MiB"})
    public String value;

    private Object subject;

    /** A small record of the kind a task takes or returns. */
    public record Trade(long id, String symbol, int quantity, double price) implements Serializable {
    }

    /** Builds the value once, outside the measurement. */
    @Setup(Level.Trial)
    public void prepare() {
        switch (value) {
            case "record":
                subject = new Trade(42L, "ACME", 100, 12.5);
                break;
            case "list1000":
                subject = IntStream.range(0, 1000).boxed().collect(Collectors.toCollection(ArrayList::new));
                break;
            case "bytes1MiB":
                byte[] bytes = new byte[1 << 20];
                new Random(42).nextBytes(bytes);
                subject = bytes;
                break;
            default:
                throw new IllegalArgumentException("unknown value '" + value
                        + "': expected record, list1000 or bytes1MiB");
        }
    }

    /** {@code KryoCodec.get().toBytes} then {@code fromBytes}. */
    @Benchmark
    public Object kryo() {
        KryoCodec codec = KryoCodec.get();
        byte[] bytes = codec.toBytes(subject, "the value");
        return codec.fromBytes(bytes, 0, bytes.length, "the value");
    }

    /** {@code ObjectOutputStream.writeObject} then {@code ObjectInputStream.readObject}. */
    @Benchmark
    public Object java() throws IOException, ClassNotFoundException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(subject);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            return in.readObject();
        }
    }
}
