package io.procpool.launcher;

import io.procpool.worker.internal.serial.Behaviour;

/**
 * Whether a value a serialisation rebuilt behaves as the original, for a {@link SerializationReport}: by the value
 * fidelity tests' description of behaviour ({@link Behaviour}: class, contents in order, comparator, lookups) and,
 * for a class that defines {@code equals}, by equality and hash code. If not, says what changed, in a sentence short
 * enough for a row of the report.
 */
final class Faithfulness {
    /** How much of the two descriptions to show on either side of where they part. */
    private static final int CONTEXT = 40;

    private Faithfulness() {
    }

    /**
     * Compares a value with two copies a serialisation rebuilt from its bytes.
     *
     * <p>Equality is judged only where it means something across copies: a class whose {@code equals} compares
     * identities somewhere inside (a record holding an array) makes two copies unequal to each other as well, and
     * says nothing about the serialisation.
     *
     * @param original   the value, not null
     * @param behaviour  its behaviour, as {@link Behaviour#describeWithoutChanging} described it
     * @param copy       the value rebuilt from its bytes
     * @param secondCopy the value rebuilt again from the same bytes
     * @return {@code null} if the copy is faithful; otherwise what changed
     */
    static String problem(Object original, String behaviour, Object copy, Object secondCopy) {
        if (copy == null) {
            return "rebuilt as null";
        }
        String rebuilt = Behaviour.describeWithoutChanging(copy);
        if (!rebuilt.equals(behaviour)) {
            String type = typeOf(behaviour);
            String rebuiltType = typeOf(rebuilt);
            if (!type.equals(rebuiltType)) {
                return "rebuilt as a " + rebuiltType + ", not a " + type;
            }
            return "rebuilt changed: " + difference(behaviour, rebuilt);
        }
        if (definesEquals(original.getClass()) && equal(copy, secondCopy)) {
            if (!equal(original, copy)) {
                return "rebuilt unequal to the original: equals() is false (and true between two rebuilt copies)";
            }
            int hash = hashCode(original);
            int rebuiltHash = hashCode(copy);
            if (hash != rebuiltHash) {
                return "rebuilt equal to the original but with another hashCode(): " + rebuiltHash + ", not " + hash;
            }
        }
        return null;
    }

    /** The class a description starts with: every description but null's is {@code class{...}}. */
    private static String typeOf(String description) {
        int brace = description.indexOf('{');
        return brace < 0 ? description : description.substring(0, brace);
    }

    /** Where two descriptions part: the text around the first difference in each. */
    private static String difference(String expected, String actual) {
        int length = Math.min(expected.length(), actual.length());
        int at = 0;
        while (at < length && expected.charAt(at) == actual.charAt(at)) {
            at++;
        }
        int from = Math.max(0, at - CONTEXT);
        // From the start of a word, where there is one near: "elements=[..." reads better than "ents=[...".
        int space = expected.lastIndexOf(' ', at - 1);
        if (space >= from && space < at) {
            from = space + 1;
        }
        return "where the original has " + excerpt(expected, from, at) + ", the copy has " + excerpt(actual, from, at);
    }

    private static String excerpt(String text, int from, int at) {
        int to = Math.min(text.length(), at + CONTEXT);
        return (from > 0 ? "\"..." : "\"") + text.substring(from, to) + (to < text.length() ? "...\"" : "\"");
    }

    private static boolean definesEquals(Class<?> type) {
        try {
            return type.getMethod("equals", Object.class).getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean equal(Object a, Object b) {
        try {
            return a.equals(b);
        } catch (RuntimeException e) {
            return false; // an equals that fails on a copy is as good as unequal
        }
    }

    private static int hashCode(Object value) {
        try {
            return value.hashCode();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
