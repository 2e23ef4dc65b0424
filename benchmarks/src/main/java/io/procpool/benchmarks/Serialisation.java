package io.procpool.benchmarks;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.Serialization;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A serialise-then-deserialise round trip with each {@link Serialization} as procpool sets it up, exactly what a
 * process pool does to every function, item and result: {@link ValueSerializers#toBytes} writes, and a
 * {@link ValueSerializer} from {@link ValueSerializers#create} reads, for three typical values: a small record, a
 * list of 1000 boxed integers, and 1 MiB of bytes. It isolates the serialisation's share of the process boundary's
 * cost from the transport's (see {@link PayloadRoundTrip}). No pool is involved, so unlike the other benchmarks this
 * one has no pool kind. Every value is {@link Serializable}, since {@link Serialization#JAVA} carries nothing else.
 *
 * <p>Kryo writes a large {@code byte[]} inline here: a pool passes one through a file of its own instead, which
 * {@link PayloadRoundTrip} measures.
 */
@State(Scope.Thread) // a ValueSerializer holds per-thread state: one each, should JMH run several threads
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Serialisation extends BenchmarkDefaults {
    /** How the value crosses: {@code KRYO}, {@code JAVA} or {@code FORY}. */
    @Param({"KRYO", "JAVA", "FORY"})
    public Serialization serialization;

    /** The value serialised: {@code record}, {@code list1000} or {@code bytes1MiB}. */
    @Param({"record", "list1000", "bytes1MiB"})
    public String value;

    private Object subject;
    private ValueSerializer reader;

    /** A small record of the kind a task takes or returns; {@link Serializable} so that JAVA can carry it. */
    public record Trade(long id, String symbol, int quantity, double price) implements Serializable {
    }

    /** Builds the value and the reading side once, outside the measurement. */
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
        // Inline arrays (no directory), as toBytes writes them; any class, as a pool without an allow-list reads.
        reader = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
    }

    /** {@code ValueSerializers.toBytes} then the serialisation's {@code read}. */
    @Benchmark
    public Object roundTrip() {
        byte[] bytes = ValueSerializers.toBytes(serialization, subject, "the value");
        return reader.read(new Input(bytes));
    }
}
