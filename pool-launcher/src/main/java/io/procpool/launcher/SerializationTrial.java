package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.Serialization;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.procpool.launcher.SerializationReport.NOT_MEASURED;

/**
 * One serialisation tried on one value for a {@link SerializationReport}: written and rebuilt once to check the
 * copy, then warmed up and timed within a fixed budget. Two serializers, as a pool's two sides have, so that the
 * rebuilding one knows nothing the writing one learnt. Used once, by one thread.
 */
final class SerializationTrial {
    /** The budgets the class comment of {@link SerializationReport} states: keep the two in step. */
    static final long WARM_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(75);
    static final long MEASURE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int MAX_SAMPLES = 21;
    static final int MIN_SAMPLES = 3;
    /** Each sample times a batch of this long at most, long enough that the clock's resolution does not matter. */
    private static final long SAMPLE_NANOS = MEASURE_NANOS / MAX_SAMPLES;
    private static final int MAX_BATCH = 1_000_000;

    private final Serialization serialization;
    private final ValueSerializer writer;
    private final ValueSerializer reader;
    private final RawBitsOutput out = new RawBitsOutput(4096, -1);
    private final Input in = new Input();

    private SerializationTrial(Serialization serialization) {
        this.serialization = serialization;
        this.writer = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
        this.reader = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
    }

    /**
     * Tries {@code serialization} on {@code value}.
     *
     * @param serialization a serialisation whose library is on the class path
     * @param value         the value, not null
     * @param behaviour     the value's behaviour, as {@code Behaviour.describeWithoutChanging} gave it
     * @return the row: the value's size, the median times, and whether the copy is faithful
     */
    static SerializationReport.Row run(Serialization serialization, Object value, String behaviour) {
        return new SerializationTrial(serialization).measure(value, behaviour);
    }

    private SerializationReport.Row measure(Object value, String behaviour) {
        byte[] bytes;
        try {
            write(value);
            bytes = out.toBytes();
        } catch (RuntimeException | StackOverflowError e) {
            return failed(NOT_MEASURED, KryoCodec.failure("could not serialise the value", value, e).getMessage());
        }
        Object copy;
        Object secondCopy;
        try {
            copy = read(bytes);
            secondCopy = read(bytes);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            return failed(bytes.length, KryoCodec.failure("could not rebuild the value", null, e).getMessage());
        }
        String problem = Faithfulness.problem(value, behaviour, copy, secondCopy);
        long[] medians;
        try {
            medians = time(value, bytes);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            return failed(bytes.length, KryoCodec.failure("failed on a later round trip", value, e).getMessage());
        }
        return new SerializationReport.Row(serialization, bytes.length, medians[0], medians[1], problem == null,
                problem);
    }

    private SerializationReport.Row failed(long bytes, String problem) {
        return new SerializationReport.Row(serialization, bytes, NOT_MEASURED, NOT_MEASURED, false, problem);
    }

    private void write(Object value) {
        out.setPosition(0);
        writer.write(out, value);
    }

    private Object read(byte[] bytes) {
        in.setBuffer(bytes);
        return reader.read(in);
    }

    /** {@return the median serialise and rebuild times per value, in nanoseconds, after a warm-up} */
    private long[] time(Object value, byte[] bytes) {
        Object rebuilt = null;
        try {
            long start = System.nanoTime();
            long roundTrips = 0;
            long elapsed;
            do {
                write(value);
                rebuilt = read(bytes);
                roundTrips++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < WARM_UP_NANOS);
            int batch = (int) Math.max(1, Math.min(MAX_BATCH, SAMPLE_NANOS * roundTrips / Math.max(1, elapsed)));
            long[] writes = new long[MAX_SAMPLES];
            long[] reads = new long[MAX_SAMPLES];
            int samples = 0;
            long measuring = System.nanoTime();
            while (samples < MAX_SAMPLES
                    && (samples < MIN_SAMPLES || System.nanoTime() - measuring < MEASURE_NANOS)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    write(value);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    rebuilt = read(bytes);
                }
                long t2 = System.nanoTime();
                // At least a nanosecond: a time of 0 would read as "not measured" beside a real one.
                writes[samples] = Math.max(1, (t1 - t0) / batch);
                reads[samples] = Math.max(1, (t2 - t1) / batch);
                samples++;
            }
            return new long[] {median(writes, samples), median(reads, samples)};
        } finally {
            Reference.reachabilityFence(rebuilt); // what was rebuilt is used: the rebuilding cannot be left out
        }
    }

    private static long median(long[] values, int count) {
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
}
