package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.Serialization;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SerializationReport}: every serialisation tried on a value in this JVM, in the enum's order, measured, and
 * judged faithful or not by the value fidelity tests' checks, with what went wrong. No pool, no other JVM. Timings
 * are only checked to be measured: their size depends on the machine.
 */
class SerializationReportTest {
    /** A small value every serialisation carries: strings, ints and a list. */
    record Order(String id, int quantity, List<String> items) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The same without {@code Serializable}, which Java serialisation needs. */
    record Point(String label, int x, int y) {
    }

    /** A record whose {@code equals} compares its array by identity: no copy is equal to it, nor copies to each other. */
    @SuppressWarnings("ArrayRecordComponent") // the point of it
    record Samples(String name, int[] values) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void shouldMeasureEverySerialisationInTheEnumsOrderOnASmallRecord() {
        SerializationReport report = SerializationReport.of(new Order("A-17", 3, List.of("pen", "ink")));

        List<SerializationReport.Row> rows = report.rows();
        assertEquals(List.of(Serialization.values()), rows.stream().map(SerializationReport.Row::serialization)
                .toList());
        for (SerializationReport.Row row : rows) {
            assertTrue(row.faithful(), row.toString());
            assertNull(row.problem(), row.toString());
            assertTrue(row.bytes() > 0, row.toString());
            assertTrue(row.serializeNanos() > 0, row.toString());
            assertTrue(row.deserializeNanos() > 0, row.toString());
        }
    }

    @Test
    void shouldSayJavaSerialisationRefusesAValueThatIsNotSerializableNamingItsClass() {
        SerializationReport report = SerializationReport.of(new Point("p", 1, 2));

        for (SerializationReport.Row row : report.rows()) {
            if (row.serialization() == Serialization.JAVA) {
                assertFalse(row.faithful());
                assertTrue(row.problem().contains(Point.class.getName()), row.problem());
                assertTrue(row.problem().contains("not Serializable"), row.problem());
                assertEquals(List.of(-1L, -1L, -1L), List.of(row.bytes(), row.serializeNanos(),
                        row.deserializeNanos()), "nothing measured");
            } else {
                assertTrue(row.faithful(), row.toString());
                assertTrue(row.bytes() > 0 && row.serializeNanos() > 0 && row.deserializeNanos() > 0,
                        row.toString());
            }
        }
    }

    /** A reading whose value may be a NaN carrying a payload, as some sensors and formats use them. */
    record Reading(String sensor, double value) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void shouldSayWhatChangedInTheRowOfASerialisationThatAltersTheValue() {
        // Java serialisation writes a double with doubleToLongBits, which folds every NaN into the canonical one;
        // Kryo (as procpool sets it up) and Fory keep the exact bits.
        long payloadNaN = 0x7ff8000000000001L;
        SerializationReport report = SerializationReport.of(new Reading("t1", Double.longBitsToDouble(payloadNaN)));

        SerializationReport.Row java = row(report, Serialization.JAVA);
        assertFalse(java.faithful(), java.toString());
        assertTrue(java.problem().contains("bits=" + payloadNaN), java.problem());
        assertTrue(java.problem().contains("bits=" + Double.doubleToRawLongBits(Double.NaN)), java.problem());
        assertTrue(java.bytes() > 0 && java.serializeNanos() > 0 && java.deserializeNanos() > 0, "still measured");
        assertTrue(row(report, Serialization.KRYO).faithful(), report.toString());
        assertTrue(row(report, Serialization.FORY).faithful(), report.toString());
    }

    @Test
    void shouldSayWhenTheCopyIsOfAnotherClass() {
        // Not Serializable: every serialisation carries it as its nearest equivalent, a map that holds on to its keys.
        SerializationReport report = SerializationReport.of(new WeakHashMap<>(Map.of("k", 1)));

        for (SerializationReport.Row row : report.rows()) {
            assertFalse(row.faithful(), row.toString());
            assertEquals("rebuilt as a java.util.LinkedHashMap, not a java.util.WeakHashMap", row.problem());
        }
    }

    @Test
    void shouldJudgeEqualityOnlyWhereItHoldsBetweenCopies() {
        // Samples' equals compares arrays by identity: a copy is never equal, whatever the serialisation does.
        SerializationReport report = SerializationReport.of(new Samples("s", new int[] {1, 2, 3}));

        for (SerializationReport.Row row : report.rows()) {
            assertTrue(row.faithful(), row.toString());
        }
    }

    @Test
    void shouldPrintATableWithALinePerSerialisation() {
        String table = SerializationReport.of(new Point("p", 1, 2)).toString();

        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).contains(Point.class.getName()), table);
        assertTrue(lines.get(1).startsWith("serialisation") && lines.get(1).contains("bytes")
                && lines.get(1).contains("faithful"), table);
        assertEquals(2 + Serialization.values().length, lines.size(), table);
        int i = 2;
        for (Serialization serialization : Serialization.values()) {
            String line = lines.get(i++);
            assertTrue(line.startsWith(serialization.name() + " "), table);
            if (serialization == Serialization.JAVA) {
                assertTrue(line.matches("JAVA +- +- +- +no: .*" + Point.class.getSimpleName() + ".*"), line);
            } else {
                assertTrue(line.matches(serialization + " +[0-9]+ +[0-9.]+ [nmu]?s +[0-9.]+ [nmu]?s +yes"), line);
            }
        }
    }

    @Test
    void shouldRefuseANullValue() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> SerializationReport.of(null));
        assertTrue(e.getMessage().contains("sampleValue"), e.getMessage());
    }

    @Test
    void shouldSayWhatIsMissingInTheRowOfASerialisationWhoseLibraryIsAbsent() {
        SerializationReport report = SerializationReport.of(new Order("A-17", 3, List.of("pen")), serialization -> {
            if (serialization == Serialization.FORY) {
                throw new PoolException("Serialization.FORY needs Apache Fory, which procpool does not bring");
            }
        });

        SerializationReport.Row fory = row(report, Serialization.FORY);
        assertEquals(new SerializationReport.Row(Serialization.FORY, -1, -1, -1, false,
                "Serialization.FORY needs Apache Fory, which procpool does not bring"), fory);
        assertTrue(row(report, Serialization.KRYO).faithful());
        assertTrue(report.toString().contains("FORY"), report.toString());
    }

    @Test
    void shouldLeaveTheValueAsItWas() {
        Map<String, Integer> leastRecentFirst = new LinkedHashMap<>(16, 0.75f, true);
        leastRecentFirst.put("a", 1);
        leastRecentFirst.put("b", 2);
        leastRecentFirst.put("c", 3);
        ArrayDeque<String> queue = new ArrayDeque<>(List.of("x", "y"));

        SerializationReport.of(List.of(leastRecentFirst, queue));

        assertEquals(List.of("a", "b", "c"), List.copyOf(leastRecentFirst.keySet()), "access order as it was");
        assertEquals(List.of("x", "y"), List.copyOf(queue), "nothing taken from the queue");
    }

    @Test
    void shouldRejectARowThatIsNotFaithfulWithoutSayingWhy() {
        assertThrows(IllegalArgumentException.class,
                () -> new SerializationReport.Row(Serialization.KRYO, 1, 1, 1, false, null));
        assertThrows(IllegalArgumentException.class,
                () -> new SerializationReport.Row(Serialization.KRYO, 1, 1, 1, true, "changed"));
    }

    private static SerializationReport.Row row(SerializationReport report, Serialization serialization) {
        return report.rows().stream().filter(row -> row.serialization() == serialization).findFirst().orElseThrow();
    }
}
