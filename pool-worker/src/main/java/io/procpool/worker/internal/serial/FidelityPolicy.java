package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;

import java.io.Externalizable;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Currency;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Stack;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Decides, once per class, how Kryo writes it so that a value behaves on the other side as it did on this side.
 * The rule is by allow-list, not by exception: Kryo's own serializers are used only for the JDK classes they are
 * known to rebuild faithfully (listed in {@link #KRYO_FAITHFUL}, with the comparators of {@code TreeMap},
 * {@code TreeSet}, {@code PriorityQueue} and {@code ConcurrentSkipListMap}). Every other class goes where it keeps
 * its behaviour:
 * <ul>
 *   <li>a {@code Serializable} JDK class, an exception, or a user class with its own serialisation hooks
 *       ({@code readObject}, {@code readResolve}, {@code Externalizable}, state in a JDK superclass): Java
 *       serialisation for its shape, Kryo for its contents ({@link JavaShapeSerializer});</li>
 *   <li>a JDK view that is not {@code Serializable}: its nearest faithful copy ({@link ViewCopySerializer});</li>
 *   <li>any other user class: Kryo's field serializer, which needs no {@code Serializable};</li>
 *   <li>what cannot cross (a lambda that is not serialisable, a proxy, a pool, a JDK class that is neither
 *       {@code Serializable} nor a collection): a {@link SerializationException} naming the class, on the sending
 *       side.</li>
 * </ul>
 */
final class FidelityPolicy implements SerializerFactory<Serializer<?>> {
    /** JDK classes whose Kryo serializer rebuilds them with everything that shapes their behaviour. */
    private static final Set<Class<?>> KRYO_FAITHFUL = Set.of(
            ArrayList.class, LinkedList.class, HashMap.class, HashSet.class, LinkedHashSet.class,
            ArrayDeque.class, Vector.class, Stack.class, Hashtable.class, IdentityHashMap.class,
            ConcurrentHashMap.class, CopyOnWriteArrayList.class, CopyOnWriteArraySet.class,
            ConcurrentLinkedQueue.class, ConcurrentLinkedDeque.class,
            TreeMap.class, TreeSet.class, PriorityQueue.class, ConcurrentSkipListMap.class,
            Collections.emptyList().getClass(), Collections.emptySet().getClass(), Collections.emptyMap().getClass(),
            Collections.singletonList(0).getClass(), Collections.singleton(0).getClass(),
            Collections.singletonMap(0, 0).getClass(), Arrays.asList(0).getClass(),
            BigInteger.class, BigDecimal.class, Date.class, Currency.class, StringBuffer.class,
            StringBuilder.class, URL.class, URI.class, UUID.class, Pattern.class, BitSet.class,
            Optional.class, OptionalInt.class, OptionalLong.class, OptionalDouble.class, Class.class,
            AtomicBoolean.class, AtomicInteger.class, AtomicLong.class, AtomicReference.class,
            Duration.class, Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class,
            OffsetTime.class, OffsetDateTime.class, ZonedDateTime.class, Year.class, YearMonth.class,
            MonthDay.class, Period.class, java.util.TimeZone.getTimeZone("UTC").getClass());

    private final ClassFilter filter;
    private final SerializerFactory.FieldSerializerFactory fields = new SerializerFactory.FieldSerializerFactory();
    private final ClassValue<Boolean> leaves = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return !isJdk(type) || !Serializable.class.isAssignableFrom(type) || Path.class.isAssignableFrom(type);
        }
    };

    FidelityPolicy(ClassFilter filter) {
        this.filter = filter;
    }

    /** Whether Kryo's own serializer, found after this factory, is the faithful one for {@code type}. */
    private static boolean kryoIsFaithful(Class<?> type) {
        if (type.isArray() || Enum.class.isAssignableFrom(type) || type.isRecord()
                || KryoSerializable.class.isAssignableFrom(type)) {
            return true;
        }
        return isJdk(type) && (KRYO_FAITHFUL.contains(type) || EnumSet.class.isAssignableFrom(type)
                || Charset.class.isAssignableFrom(type) || ZoneId.class.isAssignableFrom(type));
    }

    @Override
    public boolean isSupported(Class type) {
        return !kryoIsFaithful(type);
    }

    /**
     * {@return whether, inside an object written with Java serialisation, objects of {@code type} are better
     * written by Kryo: user classes, lambdas, and JDK classes that are not {@code Serializable}}
     */
    boolean isLeaf(Class<?> type) {
        return leaves.get(type);
    }

    @Override
    public Serializer<?> newSerializer(Kryo kryo, Class type) {
        if (type.isHidden() || type.isSynthetic() && type.getName().contains("$$Lambda")) {
            return refuse(type, Lambdas.FIX + "; a Task or Initializer is Serializable already");
        }
        // Kryo looks a proxy up as InvocationHandler; a proxy's class only exists in the JVM that made it.
        if (Proxy.isProxyClass(type) || type == java.lang.reflect.InvocationHandler.class) {
            return refuse(type, "a dynamic proxy");
        }
        if (io.procpool.Pool.class.isAssignableFrom(type)) {
            return refuse(type, "a pool cannot be sent to a worker: a task must not use the pool that runs it "
                    + "(that would wait for itself); create a pool inside the task if it needs one");
        }
        if (Path.class.isAssignableFrom(type)) {
            return new PathSerializer();
        }
        if (Throwable.class.isAssignableFrom(type)) {
            return new JavaShapeSerializer(filter, this);
        }
        if (isJdk(type)) {
            if (Serializable.class.isAssignableFrom(type)) {
                return new JavaShapeSerializer(filter, this);
            }
            if (ViewCopySerializer.canCopy(type)) {
                return new ViewCopySerializer();
            }
            return refuse(type, "a JDK class that is not Serializable");
        }
        Class<?> jdkSuperclass = firstJdkSuperclass(type);
        boolean jdkState = hasInstanceState(jdkSuperclass);
        if (Serializable.class.isAssignableFrom(type) && (jdkState || hasSerialisationHooks(type))) {
            return new JavaShapeSerializer(filter, this);
        }
        if (jdkState) {
            return refuse(type, "it extends " + jdkSuperclass.getName() + ", whose fields only Java serialisation "
                    + "can read; make " + type.getSimpleName() + " implement java.io.Serializable");
        }
        return fields.newSerializer(kryo, type);
    }

    private static Serializer<?> refuse(Class<?> type, String reason) {
        return new RefusingSerializer("cannot serialise " + type.getName() + ": " + reason);
    }

    static boolean isJdk(Class<?> type) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive()) {
            return true;
        }
        String name = element.getName();
        return element.getModule().isNamed() && element.getClassLoader() == null
                || name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.");
    }

    private static Class<?> firstJdkSuperclass(Class<?> type) {
        Class<?> superclass = type.getSuperclass();
        while (superclass != null && !isJdk(superclass)) {
            superclass = superclass.getSuperclass();
        }
        return superclass == null ? Object.class : superclass;
    }

    /** Whether a JDK class or its superclasses hold fields that Java serialisation would write. */
    private static boolean hasInstanceState(Class<?> jdkClass) {
        for (Class<?> c = jdkClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a user class takes part in Java serialisation in ways Kryo's field serializer would skip. */
    private static boolean hasSerialisationHooks(Class<?> type) {
        if (Externalizable.class.isAssignableFrom(type)) {
            return true;
        }
        for (Class<?> c = type; c != null && !isJdk(c); c = c.getSuperclass()) {
            if (declares(c, "writeObject", ObjectOutputStream.class) || declares(c, "readObject",
                    ObjectInputStream.class) || declares(c, "readObjectNoData") || declares(c, "writeReplace")
                    || declares(c, "readResolve")) {
                return true;
            }
        }
        return false;
    }

    private static boolean declares(Class<?> type, String name, Class<?>... parameters) {
        try {
            var unused = type.getDeclaredMethod(name, parameters); // throws when the method is not declared
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Refuses a type that must never cross, with the reason, on the side that meets it. */
    private static final class RefusingSerializer extends Serializer<Object> {
        private final String message;

        RefusingSerializer(String message) {
            this.message = message;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            throw new SerializationException(message);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            throw new SerializationException(message.replaceFirst("^cannot serialise", "cannot deserialise"));
        }
    }

    /** A {@link Path} crosses as its string, on the default file system: the only one a worker shares with us. */
    private static final class PathSerializer extends Serializer<Path> {
        PathSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Path path) {
            output.writeString(path.toString());
        }

        @Override
        public Path read(Kryo kryo, Input input, Class<? extends Path> type) {
            return Path.of(input.readString());
        }
    }
}
