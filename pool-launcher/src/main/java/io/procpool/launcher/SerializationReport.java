package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.worker.internal.serial.Behaviour;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Which {@link Serialization} suits a value: each one tried on a sample of the application's values, in this JVM,
 * with the bytes it writes, the time it takes to serialise and to rebuild the value, and whether the rebuilt value
 * is faithful. {@link #toString()} prints the same as a table.
 * <pre>{@code
 * System.out.println(SerializationReport.of(new Order("A-17", 3, List.of("pen", "ink"))));
 * }</pre>
 *
 * <p><b>Faithful</b> means that the rebuilt value behaves as the original, by the checks of procpool's value
 * fidelity tests: the same class; the same contents in the same order, to five levels down (an object whose class
 * has no {@code toString} of its own by its fields, transient ones aside); the same comparator and lookups; and,
 * where the class defines {@code equals} and two copies are equal to each other, equal to the original with the
 * same hash code. A serialisation that refuses the value (Java serialisation, for a class that is not
 * {@code Serializable}) or rebuilds it changed says so in its row's {@link Row#problem() problem}. The value itself
 * is left as it was: the checks only read it.
 *
 * <p><b>Measured</b> as a pool's two sides do it, each serialisation writing into a reused buffer with large arrays
 * inline, and rebuilding with a serializer of its own: first once, for the checks; then round trips to warm up, in
 * slices of 10 ms, until three slices in a row take about the same time per round trip (at least 50 ms, at most
 * 250 ms); then up to 21 timed samples within 100 ms (at least 3), each timing a batch of serialisations and then a
 * batch of rebuilds. A row gives the medians per value. The serialisations take turns, a slice or a sample each, so
 * that what changes the machine's speed meanwhile (another process, the JIT compiler) weighs on all rows alike. So
 * {@link #of} takes about half a second for a small value, and at most about a second, besides each serialisation's
 * one-off set-up the first time in a JVM (loading its classes: half a second more); a value whose round trip alone
 * takes longer than the warm-up costs about five round trips per serialisation. The figures are this JVM's, on this
 * machine, under its present load: compare the rows with each other rather than with another run.
 *
 * <p>{@link Serialization#FORY} needs Apache Fory, which procpool does not bring: without it on the class path its
 * row is not faithful, measures nothing, and its problem names the dependency to add.
 *
 * <p>Immutable; {@link #of} may be called from any thread, and reads classes through the thread's context class
 * loader as a pool does.
 */
public final class SerializationReport {
    /** Marks what a row could not measure: its bytes when the value could not be written, times unless rebuilt. */
    static final long NOT_MEASURED = -1;

    /**
     * One serialisation's result on the sample value.
     *
     * @param serialization    the serialisation tried
     * @param bytes            the bytes it wrote for the value, its class included; -1 if it could not write it
     *                         (it refused the value, or it is FORY without Apache Fory on the class path)
     * @param serializeNanos   the median time to serialise the value, in nanoseconds; -1 if the value could not
     *                         be written and rebuilt, so nothing was timed
     * @param deserializeNanos the median time to rebuild the value from its bytes, in nanoseconds; -1 when
     *                         {@code serializeNanos} is
     * @param faithful         whether the rebuilt value behaves as the original
     * @param problem          {@code null} when faithful; otherwise what went wrong: the serialisation's error
     *                         naming the class it refused, or what changed in the rebuilt value
     */
    public record Row(Serialization serialization, long bytes, long serializeNanos, long deserializeNanos,
                      boolean faithful, String problem) {
        /**
         * Checks that a row says what went wrong exactly when it is not faithful.
         *
         * @param serialization    the serialisation tried
         * @param bytes            the bytes it wrote, or -1
         * @param serializeNanos   the median serialise time, or -1
         * @param deserializeNanos the median rebuild time, or -1
         * @param faithful         whether the rebuilt value behaves as the original
         * @param problem          {@code null} exactly when faithful
         * @throws IllegalArgumentException if {@code problem} is null for a row that is not faithful, or set for
         *                                  one that is
         */
        public Row {
            Objects.requireNonNull(serialization, "serialization");
            if (faithful != (problem == null)) {
                throw new IllegalArgumentException(faithful ? "a faithful row has no problem: " + problem
                        : "a row that is not faithful says why");
            }
        }
    }

    private final String valueClass;
    private final List<Row> rows;

    private SerializationReport(String valueClass, List<Row> rows) {
        this.valueClass = valueClass;
        this.rows = List.copyOf(rows);
    }

    /**
     * Tries every {@link Serialization} on {@code sampleValue}, in this JVM; see the class comment for what is
     * measured and what it costs.
     *
     * @param sampleValue a value such as the application passes to a pool, as an item, a result or a captured
     *                    value: a typical one, since sizes and times depend on what it holds
     * @return one row per serialisation, in the order of {@link Serialization#values()}
     * @throws NullPointerException if {@code sampleValue} is null: every serialisation carries null alike, and
     *                              there would be nothing to compare
     */
    public static SerializationReport of(Object sampleValue) {
        return of(sampleValue, ValueSerializers::requireAvailable);
    }

    /** {@link #of(Object)}, with the check that a serialisation's library is on the class path as a parameter. */
    static SerializationReport of(Object sampleValue, Consumer<Serialization> requireAvailable) {
        Objects.requireNonNull(sampleValue, "sampleValue: a report needs a typical value of the type to measure");
        String behaviour = Behaviour.describeWithoutChanging(sampleValue);
        Map<Serialization, Row> rows = new EnumMap<>(Serialization.class);
        List<Serialization> available = new ArrayList<>();
        for (Serialization serialization : Serialization.values()) {
            try {
                requireAvailable.accept(serialization);
                available.add(serialization);
            } catch (PoolException e) {
                rows.put(serialization, new Row(serialization, NOT_MEASURED, NOT_MEASURED, NOT_MEASURED, false,
                        e.getMessage()));
            }
        }
        rows.putAll(SerializationTrial.run(available, sampleValue, behaviour));
        return new SerializationReport(sampleValue.getClass().getName(), List.copyOf(rows.values())); // enum order
    }

    /** {@return one row per {@link Serialization}, in the enum's order} */
    public List<Row> rows() {
        return rows;
    }

    /**
     * {@return the report as a table: a line per serialisation with its bytes, median serialise and rebuild
     * times, and "yes" when faithful, else "no" and its problem; "-" for what was not measured}
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Serialisation report for ").append(valueClass)
                .append(", in this JVM (times: medians after a warm-up)").append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "%-14s %9s %11s %11s  %s%n", "serialisation", "bytes", "serialise",
                "rebuild", "faithful"));
        for (Row row : rows) {
            // A problem on one line, whatever a message or a value's toString holds: a row is a line.
            String faithful = row.faithful() ? "yes" : "no: " + row.problem().replaceAll("\\s*\\R\\s*", " ");
            out.append(String.format(Locale.ROOT, "%-14s %9s %11s %11s  %s%n", row.serialization(),
                    row.bytes() < 0 ? "-" : Long.toString(row.bytes()), time(row.serializeNanos()),
                    time(row.deserializeNanos()), faithful));
        }
        return out.toString();
    }

    private static String time(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
