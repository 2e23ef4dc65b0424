package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.worker.fidelity.ValueCatalogue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance test for each {@link Serialization}: every value of the catalogue, written by the serializer both
 * sides of a pool make and read back by another, behaves as the original, or fails with a {@link
 * SerializationException} that names the serialisation and a class. Never silently changed. Kryo and Fory carry
 * every one; Java serialisation refuses what is not {@code Serializable}; the pool-level test sends values through
 * workers with each.
 */
class SerializationFidelityTest {
    private static final Pattern CLASS_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)+");

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Serialization serialization : Serialization.values()) {
            for (ValueCatalogue.Case c : ValueCatalogue.cases()) {
                all.add(Arguments.of(serialization, c));
            }
        }
        return all.stream();
    }

    private static Object roundTrip(Serialization serialization, Object value) {
        byte[] bytes = ValueSerializers.toBytes(serialization, value, "the value");
        ValueSerializer reader = ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null);
        Input in = new Input(bytes);
        Object back = reader.read(in);
        assertEquals(bytes.length, in.position(), "the reader consumed exactly what the writer wrote");
        return back;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void shouldBehaveAsTheOriginalOrFailNamingTheClassAndTheSerialisation(Serialization serialization,
                                                                          ValueCatalogue.Case c) {
        String expected = c.behaviourOf(c.make().get());
        Object back;
        try {
            back = roundTrip(serialization, c.make().get());
        } catch (SerializationException e) {
            if (serialization != Serialization.JAVA) {
                throw e; // Kryo and Fory carry every value of the catalogue; Java serialisation may refuse some
            }
            assertTrue(e.getMessage().contains("Serialization." + serialization), e.getMessage());
            assertTrue(CLASS_NAME.matcher(e.getMessage()).results().map(java.util.regex.MatchResult::group)
                    .anyMatch(name -> !name.endsWith("Exception")), "names the class: " + e.getMessage());
            return;
        }
        assertEquals(expected, c.behaviourOf(back));
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldCarryASerialisableLambdaWithWhatItCaptures(Serialization serialization) throws Exception {
        int k = 41;
        Function<Integer, Integer> plus = (Function<Integer, Integer> & Serializable) x -> x + k;
        @SuppressWarnings("unchecked")
        Function<Integer, Integer> back = (Function<Integer, Integer>) roundTrip(serialization, plus);
        assertEquals(42, back.apply(1));
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldCarryAnExceptionWithItsClassMessageCauseSuppressedAndTrace(Serialization serialization) {
        IOException cause = new IOException("disk gone");
        IllegalStateException failure = new IllegalStateException("could not save", cause);
        failure.addSuppressed(new ArithmeticException("also this"));
        Throwable back = (Throwable) roundTrip(serialization, failure);
        assertSame(IllegalStateException.class, back.getClass());
        assertEquals("could not save", back.getMessage());
        assertInstanceOf(IOException.class, back.getCause());
        assertEquals("disk gone", back.getCause().getMessage());
        assertEquals(1, back.getSuppressed().length);
        assertEquals("also this", back.getSuppressed()[0].getMessage());
        assertEquals(List.of(failure.getStackTrace()), List.of(back.getStackTrace()));
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void shouldNameAClassThatCannotCross(Serialization serialization) {
        SerializationException e = assertThrows(SerializationException.class,
                () -> roundTrip(serialization, new Object[]{Thread.currentThread()}));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
    }
}
