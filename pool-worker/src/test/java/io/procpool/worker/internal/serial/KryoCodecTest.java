package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.RemoteException;
import io.procpool.SerializationException;
import io.procpool.Task;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KryoCodecTest {
    private final KryoCodec codec = KryoCodec.get();

    private Object roundTrip(Object value) {
        byte[] bytes = codec.toBytes(value, "the value");
        return codec.fromBytes(bytes, 0, bytes.length, "the value");
    }

    record Pair(String name, List<Integer> values) {
    }

    static final class NoDefaultConstructor {
        final int a;

        NoDefaultConstructor(int a) {
            this.a = a;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldCarryAServializableLambdaWithItsCapturedValues() throws Exception {
        int offset = 40;
        Pair pair = new Pair("p", List.of(1));
        Task<Integer, String> task = i -> pair.name() + (i + offset);
        Task<Integer, String> back = (Task<Integer, String>) roundTrip(task);
        assertEquals("p42", back.apply(2));
    }

    @Test
    void shouldCarryRecordsClassesWithoutDefaultConstructorsAndJdkValues() {
        assertEquals(new Pair("x", List.of(1, 2)), roundTrip(new Pair("x", List.of(1, 2))));
        assertEquals(5, ((NoDefaultConstructor) roundTrip(new NoDefaultConstructor(5))).a);
        List<Object> values = List.of(List.of(), Map.of("a", 1, "b", 2), Set.of(3), Arrays.asList(1, null),
                Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("k", "v"))), Collections.emptyList(),
                Collections.singletonList("one"), new TreeSet<>(List.of(3, 1, 2)), new ArrayList<>(List.of(1)),
                Optional.of("o"), Path.of("/tmp/some path"), java.time.Duration.ofSeconds(3),
                new java.math.BigDecimal("1.50"), java.util.UUID.nameUUIDFromBytes(new byte[]{1}));
        for (Object value : values) {
            assertEquals(value, roundTrip(value), value.getClass().getName());
        }
    }

    @Test
    void shouldRefuseANonSerializableLambdaNamingIt() {
        Supplier<String> plain = () -> "not serialisable";
        SerializationException e = assertThrows(SerializationException.class, () -> codec.toBytes(plain, "the item"));
        assertTrue(e.getMessage().contains("the item"), e.getMessage());
        assertTrue(e.getMessage().contains("Lambda") || e.getMessage().contains("lambda"), e.getMessage());
    }

    @Test
    void shouldRefuseADynamicProxyNamingIt() {
        Runnable proxy = (Runnable) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{Runnable.class}, (p, m, a) -> null);
        SerializationException e = assertThrows(SerializationException.class, () -> codec.toBytes(proxy, "the item"));
        assertTrue(e.getMessage().contains("proxy"), e.getMessage());
    }

    /** An exception holding a field that cannot be serialised. */
    static final class Unserialisable extends RuntimeException {
        final transient Object fine = new Object();
        final Thread notFine = new Thread(() -> { });

        Unserialisable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Test
    void shouldSendAMirrorOfAnExceptionThatCannotBeSerialised() {
        ValueSerializer values = KryoSerializer.create(ClassFilter.ALLOW_ALL, null);
        Output out = new Output(256, -1);
        Failures.write(values, out, new Unserialisable("boom", new IllegalStateException("root")));
        Throwable back = Failures.read(values, new Input(out.getBuffer(), 0, out.position()));
        RemoteException mirror = assertInstanceOf(RemoteException.class, back);
        assertEquals(Unserialisable.class.getName(), mirror.remoteClassName());
        assertEquals("boom", mirror.remoteMessage());
        assertTrue(mirror.getStackTrace().length > 0);
        RemoteException cause = assertInstanceOf(RemoteException.class, mirror.getCause());
        assertEquals(IllegalStateException.class.getName(), cause.remoteClassName());
    }

    @Test
    void shouldSendAnExceptionItselfWhereItCanBeSerialised() {
        ValueSerializer values = KryoSerializer.create(ClassFilter.ALLOW_ALL, null);
        Output out = new Output(256, -1);
        Failures.write(values, out, new IllegalArgumentException("bad", new ArithmeticException("root")));
        Throwable back = Failures.read(values, new Input(out.getBuffer(), 0, out.position()));
        assertInstanceOf(IllegalArgumentException.class, back);
        assertInstanceOf(ArithmeticException.class, back.getCause());
        assertEquals("bad", back.getMessage());
    }
}
