package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.Serialization;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.procpool.launcher.SerializationReport.NOT_MEASURED;

/**
 * One serialisation tried on one value for a {@link SerializationReport}: written and rebuilt once to check the
 * copy, then warmed up until its round trips take a steady time, and timed, within fixed budgets. Two serializers, as a pool's two sides have, so that the
 * rebuilding one knows nothing the writing one learnt.
 *
 * <p>The serialisations take turns, a slice of warm-up or one timed sample each, so that what changes the machine's
 * speed while the report runs (another process, the JIT compiler, the garbage collector) weighs on every row alike:
 * the rows are compared with each other. Used by one thread.
 */
final class SerializationTrial {
    /** The budgets the class comment of {@link SerializationReport} states, per serialisation: keep them in step. */
    static final long MIN_WARM_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long MAX_WARM_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long MEASURE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int MAX_SAMPLES = 21;
    static final int MIN_SAMPLES = 3;
    private static final long WARM_UP_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Warm once the round-trip times of its last few slices are within a fifth of each other. */
    private static final int SETTLED_SLICES = 3;
    private static final double SETTLED = 1.2;
    /** What a sample aims to last: long enough that the clock's resolution does not matter. */
    private static final long SAMPLE_NANOS = MEASURE_NANOS / MAX_SAMPLES;
    private static final int MAX_BATCH = 1_000_000;

    private final Serialization serialization;
    private final ValueSerializer writer;
    private final ValueSerializer reader;
    private final RawBitsOutput out = new RawBitsOutput(4096, -1);
    private final Input in = new Input();
    private final long[] writes = new long[MAX_SAMPLES];
    private final long[] reads = new long[MAX_SAMPLES];
    private byte[] bytes;
    /** What changed in the copy; null if it is faithful. */
    private String problem;
    /** The row of a trial that failed, which then takes no more turns. */
    private SerializationReport.Row failed;
    private long warmUpNanos;
    /** The nanoseconds per round trip of the last slices of warm-up, the latest last. */
    private final long[] sliceTimes = new long[SETTLED_SLICES];
    private int slices;
    private boolean warm;
    private int batch;
    private int samples;

    private SerializationTrial(Serialization serialization) {
        this.serialization = serialization;
        this.writer = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
        this.reader = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
    }

    /**
     * Tries each serialisation on {@code value}.
     *
     * @param serializations serialisations whose libraries are on the class path
     * @param value          the value, not null
     * @param behaviour      the value's behaviour, as {@code Behaviour.describeWithoutChanging} gave it
     * @return a row per serialisation: the value's size, the median times, and whether the copy is faithful
     */
    static Map<Serialization, SerializationReport.Row> run(List<Serialization> serializations, Object value,
                                                          String behaviour) {
        List<SerializationTrial> trials = new ArrayList<>();
        for (Serialization serialization : serializations) {
            SerializationTrial trial = new SerializationTrial(serialization);
            trial.check(value, behaviour);
            trials.add(trial);
        }
        warmUp(trials, value);
        measure(trials, value);
        Map<Serialization, SerializationReport.Row> rows = new EnumMap<>(Serialization.class);
        for (SerializationTrial trial : trials) {
            rows.put(trial.serialization, trial.row());
        }
        return rows;
    }

    /** Writes and rebuilds the value once, and compares two copies with it. */
    private void check(Object value, String behaviour) {
        try {
            write(value);
            bytes = out.toBytes();
        } catch (RuntimeException | StackOverflowError e) {
            fail(NOT_MEASURED, KryoCodec.failure("could not serialise the value", value, e).getMessage());
            return;
        }
        try {
            Object copy = read();
            Object secondCopy = read();
            problem = Faithfulness.problem(value, behaviour, copy, secondCopy);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            fail(bytes.length, KryoCodec.failure("could not rebuild the value", null, e).getMessage());
        }
    }

    private static void warmUp(List<SerializationTrial> trials, Object value) {
        boolean more = true;
        while (more) {
            more = false;
            for (SerializationTrial trial : trials) {
                if (trial.failed == null && !trial.warm) {
                    trial.warmUpSlice(value);
                    more = true;
                }
            }
        }
        for (SerializationTrial trial : trials) {
            // From the quickest of the last slices: one a pause slowed would make the samples too short.
            long perRoundTrip = Long.MAX_VALUE;
            for (int i = 0; i < Math.min(trial.slices, SETTLED_SLICES); i++) {
                perRoundTrip = Math.min(perRoundTrip, trial.sliceTimes[SETTLED_SLICES - 1 - i]);
            }
            trial.batch = (int) Math.max(1, Math.min(MAX_BATCH, SAMPLE_NANOS / Math.max(1, perRoundTrip)));
        }
    }

    private static void measure(List<SerializationTrial> trials, Object value) {
        long start = System.nanoTime();
        long budget = MEASURE_NANOS * trials.size();
        boolean more = true;
        while (more) {
            more = false;
            boolean overBudget = System.nanoTime() - start >= budget;
            for (SerializationTrial trial : trials) {
                if (trial.failed == null && trial.samples < MAX_SAMPLES
                        && (trial.samples < MIN_SAMPLES || !overBudget)) {
                    trial.sample(value);
                    more = true;
                }
            }
        }
    }

    private void warmUpSlice(Object value) {
        long start = System.nanoTime();
        long roundTrips = 0;
        long elapsed;
        try {
            do {
                write(value);
                read();
                roundTrips++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < WARM_UP_SLICE_NANOS);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            failLater(value, e);
            return;
        }
        warmUpNanos += elapsed;
        System.arraycopy(sliceTimes, 1, sliceTimes, 0, SETTLED_SLICES - 1);
        sliceTimes[SETTLED_SLICES - 1] = elapsed / roundTrips;
        slices++;
        warm = warmUpNanos >= MAX_WARM_UP_NANOS || (warmUpNanos >= MIN_WARM_UP_NANOS && settled());
    }

    /** Whether the last slices took about as long per round trip: the JIT compiler is done with the code. */
    private boolean settled() {
        if (slices < SETTLED_SLICES) {
            return false;
        }
        long least = Long.MAX_VALUE;
        long most = 0;
        for (long time : sliceTimes) {
            least = Math.min(least, time);
            most = Math.max(most, time);
        }
        return most <= least * SETTLED;
    }

    /** Times a batch of serialisations, then a batch of rebuilds. */
    private void sample(Object value) {
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                write(value);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                read();
            }
            long t2 = System.nanoTime();
            // At least a nanosecond: a time of 0 would read as "not measured" beside a real one.
            writes[samples] = Math.max(1, (t1 - t0) / batch);
            reads[samples] = Math.max(1, (t2 - t1) / batch);
            samples++;
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            failLater(value, e);
        }
    }

    private void write(Object value) {
        out.setPosition(0);
        writer.write(out, value);
    }

    /**
     * Rebuilds the value from its bytes. What is rebuilt while timing is dropped: reading moves the input and the
     * serializer's own state, which no compiler leaves out.
     */
    private Object read() {
        in.setBuffer(bytes);
        return reader.read(in);
    }

    private void failLater(Object value, Throwable e) {
        fail(bytes.length, KryoCodec.failure("failed on a later round trip", value, e).getMessage());
    }

    private void fail(long byteCount, String message) {
        failed = new SerializationReport.Row(serialization, byteCount, NOT_MEASURED, NOT_MEASURED, false, message);
    }

    private SerializationReport.Row row() {
        if (failed != null) {
            return failed;
        }
        return new SerializationReport.Row(serialization, bytes.length, median(writes, samples),
                median(reads, samples), problem == null, problem);
    }

    private static long median(long[] values, int count) {
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
}
