package io.procpool.worker.internal.serial;

import io.procpool.SerializationException;
import io.procpool.worker.fidelity.ValueCatalogue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The codec's half of the conformance test: every value of the catalogue, written and read back by the codec that
 * both sides of a pool use, behaves as the original. The pool-level test sends the same values through workers.
 */
class ValueFidelityTest {
    private final KryoCodec codec = KryoCodec.get();

    static List<ValueCatalogue.Case> cases() {
        return ValueCatalogue.cases();
    }

    private Object roundTrip(Object value) {
        byte[] bytes = codec.toBytes(value, "the value");
        return codec.fromBytes(bytes, 0, bytes.length, "the value");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldBehaveAfterCrossingAsTheOriginal(ValueCatalogue.Case c) {
        String expected = c.behaviourOf(c.make().get());
        assertEquals(expected, c.behaviourOf(roundTrip(c.make().get())));
    }

    @Test
    void shouldKeepAValueSharedBetweenAJavaShapeAndTheRestOfTheGraph() {
        Map<String, Integer> reverse = new TreeMap<>(Comparator.reverseOrder());
        ValueCatalogue.Holder shared = new ValueCatalogue.Holder("shared", 1);
        List<Object> graph = new ArrayList<>(List.of(shared, java.util.Collections.singletonMap("k", shared),
                java.util.Collections.unmodifiableList(List.of(shared)), reverse));
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) roundTrip(graph);
        Object inWrapper = ((List<?>) back.get(2)).get(0);
        assertTrue(back.get(0) == inWrapper, "the record inside the unmodifiable list is the same object");
    }

    @Test
    void shouldRefuseACycleThroughAnObjectWrittenWithJavaSerialisation() {
        List<Object> backing = new ArrayList<>();
        List<Object> wrapper = java.util.Collections.unmodifiableList(backing);
        backing.add(new ValueCatalogue.Holder("points back", wrapper));
        SerializationException e = assertThrows(SerializationException.class, () -> roundTrip(wrapper));
        assertTrue(e.getMessage().contains("refers back to it"), e.getMessage());
    }

    @Test
    void shouldNameAJdkClassThatCannotCross() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> codec.toBytes(new Object[]{Thread.currentThread()}, "the value"));
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
    }
}
