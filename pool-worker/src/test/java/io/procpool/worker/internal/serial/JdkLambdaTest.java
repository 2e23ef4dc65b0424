package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lambdas the JDK makes ({@code Comparator.comparing}, {@code thenComparing}) around the caller's own: under every
 * serialisation they cross when what they capture is serialisable, and otherwise fail naming the lambda or method
 * reference that is not, with the fix; never as a JVM flag the user lacks.
 */
class JdkLambdaTest {
    private static Object roundTrip(Serialization serialization, Object value) {
        byte[] bytes = ValueSerializers.toBytes(serialization, value, "the value");
        ValueSerializer reader = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
        return reader.read(new Input(bytes));
    }

    private static TreeMap<String, Integer> byLength(Comparator<String> order) {
        TreeMap<String, Integer> map = new TreeMap<>(order);
        for (String word : List.of("ccc", "a", "bb", "dddd")) {
            map.put(word, word.length());
        }
        return map;
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldNameAMethodReferenceThatIsNotSerialisableInsideAJdkComparator(Serialization serialization) {
        TreeMap<String, Integer> map = byLength(Comparator.comparing(String::length));
        SerializationException e = assertThrows(SerializationException.class, () -> roundTrip(serialization, map));
        String message = e.getMessage();
        assertTrue(message.contains("not Serializable"), message);
        assertTrue(message.contains("JdkLambdaTest$$Lambda"), message);
        assertTrue(message.contains("Serializable) "), "the message shows the fix: " + message);
        assertFalse(message.contains("opens") || message.contains("--add"), "no JVM flag is blamed: " + message);
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldCarryAJdkComparatorAroundASerialisableLambda(Serialization serialization) {
        Function<String, Integer> length = (Function<String, Integer> & Serializable) String::length;
        TreeMap<String, Integer> map = byLength(Comparator.comparing(length).thenComparing(Comparator.reverseOrder()));
        @SuppressWarnings("unchecked")
        TreeMap<String, Integer> back = (TreeMap<String, Integer>) roundTrip(serialization, map);
        assertEquals(List.of("a", "bb", "ccc", "dddd"), List.copyOf(back.keySet()));
        back.put("ee", 2);
        back.put("ab", 2);
        assertEquals(List.of("a", "ee", "bb", "ab", "ccc", "dddd"), List.copyOf(back.keySet()),
                "the rebuilt comparator orders new keys as the original does");
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldCarryAJdkComparatorAsAValueOfItsOwn(Serialization serialization) {
        Comparator<String> order = Comparator.comparing((Function<String, Integer> & Serializable) String::length);
        @SuppressWarnings("unchecked")
        Comparator<String> back = (Comparator<String>) roundTrip(serialization, order);
        assertTrue(back.compare("a", "bb") < 0);
        assertEquals(0, back.compare("ab", "cd"));
    }
}
