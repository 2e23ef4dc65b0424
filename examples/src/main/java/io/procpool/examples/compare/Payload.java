package io.procpool.examples.compare;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The values the serialisation section sends through {@code apply(identity)}: shapes a task commonly takes or
 * returns, each {@link Serializable} throughout, so that every serialisation can carry every one of them.
 */
enum Payload {
    RECORD("record", "record", 40, () -> Quote.SAMPLE),
    STRING_100("String, 100 chars", "String 100", 100, () -> text(100, 1)),
    DOUBLES_1K("double[1,000]", "double[1k]", 8_000, () -> doubles(1_000)),
    DOUBLES_100K("double[100,000]", "double[100k]", 800_000, () -> doubles(100_000)),
    MAP_10K("HashMap<String,Integer>, 10,000 entries", "HashMap 10k", 150_000, () -> map(10_000));

    /**
     * A small record of the kind a task takes or returns. {@link Serializable}, since Java serialisation refuses
     * anything else; Kryo and Fory do not need it.
     */
    record Quote(long id, String symbol, int quantity, double price) implements Serializable {
        static final Quote SAMPLE = new Quote(42L, "ACME", 100, 12.5);
    }

    private final String label;
    private final String shortLabel;
    private final long approximateBytes;
    private final Supplier<Object> make;

    Payload(String label, String shortLabel, long approximateBytes, Supplier<Object> make) {
        this.label = label;
        this.shortLabel = shortLabel;
        this.approximateBytes = approximateBytes;
        this.make = make;
    }

    /** @return what the tables, the JSON file and the chart call it */
    String label() {
        return label;
    }

    /** @return the label on the chart's axis, where the table's would overlap */
    String shortLabel() {
        return shortLabel;
    }

    /**
     * @return about how many bytes it takes serialised (Kryo's size, rounded), which only sets how many calls a
     * repetition makes: {@link Plan#serialCalls(long)}
     */
    long approximateBytes() {
        return approximateBytes;
    }

    /** @return the value; equal every time */
    Object make() {
        return make.get();
    }

    /** Random letters from a fixed seed: text that no layer can shrink to a pattern. */
    static String text(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static double[] doubles(int length) {
        Random random = new Random(length);
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextDouble();
        }
        return values;
    }

    private static Map<String, Integer> map(int entries) {
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            map.put("key-" + i, i);
        }
        return map;
    }
}
