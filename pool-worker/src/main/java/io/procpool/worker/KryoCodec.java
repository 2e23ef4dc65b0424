package io.procpool.worker;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import com.esotericsoftware.minlog.Log;
import io.procpool.SerializationException;
import org.objenesis.strategy.StdInstantiatorStrategy;

import java.io.Serializable;
import java.nio.file.Path;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

/**
 * The Kryo set-up both sides share, so that users register nothing: serialisable lambdas with their captured
 * values, records, classes without a no-argument constructor, and the JDK's collections all cross as they are.
 *
 * <p>Kryo reads JDK internals only through public API: JDK classes that Kryo has no serializer of its own for
 * (immutable and wrapper collections, exceptions, and so on) cross with Java serialisation, which needs no
 * {@code --add-opens}. Exceptions always use Java serialisation, which keeps their stack traces and causes.
 * Kryo instances are not thread-safe; this class pools them.
 */
public final class KryoCodec {
    private static final int INITIAL_BUFFER_BYTES = 4096;

    private static final KryoCodec INSTANCE = new KryoCodec();

    static {
        // Kryo's logger prints to standard output; keep it to errors so that a library stays quiet.
        Log.set(Log.LEVEL_ERROR);
    }

    private final Pool<Kryo> kryos = new Pool<>(true, false, 64) {
        @Override
        protected Kryo create() {
            return newKryo();
        }
    };

    private KryoCodec() {
    }

    /**
     * @return the shared codec
     */
    public static KryoCodec get() {
        return INSTANCE;
    }

    /**
     * @return a Kryo instance from the pool, to give back with {@link #release(Kryo)}
     */
    public Kryo obtain() {
        return kryos.obtain();
    }

    /**
     * Gives a Kryo instance back, cleared of references to what it last saw.
     */
    public void release(Kryo kryo) {
        kryo.reset();
        kryos.free(kryo);
    }

    /**
     * Serialises one object with its class.
     *
     * @param what names the object in an error, e.g. "the function"
     * @throws SerializationException naming the class that failed
     */
    public byte[] toBytes(Object value, String what) {
        Kryo kryo = obtain();
        try (Output output = new Output(INITIAL_BUFFER_BYTES, -1)) {
            kryo.writeClassAndObject(output, value);
            return output.toBytes();
        } catch (RuntimeException | StackOverflowError e) {
            throw failure("could not serialise " + what, value, e);
        } finally {
            release(kryo);
        }
    }

    /**
     * Rebuilds an object written by {@link #toBytes}.
     *
     * @throws SerializationException naming the class that failed
     */
    public Object fromBytes(byte[] bytes, int offset, int length, String what) {
        Kryo kryo = obtain();
        try {
            return kryo.readClassAndObject(new Input(bytes, offset, length));
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            throw failure("could not deserialise " + what, null, e);
        } finally {
            release(kryo);
        }
    }

    /**
     * Builds the {@link SerializationException} for a Kryo failure, naming the class Kryo was working on.
     */
    public static SerializationException failure(String doing, Object value, Throwable e) {
        if (e instanceof SerializationException) {
            return (SerializationException) e;
        }
        StringBuilder message = new StringBuilder(doing);
        if (value != null) {
            message.append(" of class ").append(value.getClass().getName());
        }
        message.append(": ").append(Failures.rootCause(e));
        if (e instanceof KryoException) {
            // Kryo's own message ends with the serialisation trace (which field of which class), worth keeping.
            message.append(" [").append(e.getMessage().replace('\n', ' ').replace('\t', ' ')).append(']');
        }
        return new SerializationException(message.toString(), e);
    }


    /**
     * @return a Kryo configured the way both sides of a pool must agree on, reading any class
     */
    public static Kryo newKryo() {
        return newKryo(ClassFilter.ALLOW_ALL);
    }

    /**
     * @param filter the classes this Kryo may read
     * @return a Kryo configured the way both sides of a pool must agree on
     */
    public static Kryo newKryo(ClassFilter filter) {
        Kryo kryo = filter == ClassFilter.ALLOW_ALL ? new Kryo() : new Kryo(new FilteringClassResolver(filter), null);
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setClassLoader(classLoader());
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.register(ClosureSerializer.Closure.class, new ClosureSerializer());
        ImmutableCollectionsSerializers.addDefaultSerializers(kryo);
        kryo.addDefaultSerializer(Throwable.class, new FilteredJavaSerializer(filter));
        kryo.addDefaultSerializer(Path.class, new PathSerializer());
        kryo.addDefaultSerializer(io.procpool.Pool.class, new Refuse("a pool cannot be sent to a worker: a task "
                + "must not use the pool that runs it (that would wait for itself); create a pool inside the task "
                + "if it needs one"));
        kryo.addDefaultSerializer(Collection.class, new JdkAwareFactory(CollectionSerializer::new, filter));
        kryo.addDefaultSerializer(Map.class, new JdkAwareFactory(MapSerializer::new, filter));
        kryo.setDefaultSerializer(new GuardedFieldSerializerFactory(filter));
        return kryo;
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : KryoCodec.class.getClassLoader();
    }

    /** Whether Kryo can build and fill {@code type} through public API, as for {@code ArrayList}. */
    private static boolean isPlainJdkType(Class<?> type) {
        if (!isJdk(type)) {
            return true;
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            return false;
        }
        try {
            return Modifier.isPublic(type.getConstructor().getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean isJdk(Class<?> type) {
        return type.getModule().isNamed() && type.getClassLoader() == null
                || type.getName().startsWith("java.") || type.getName().startsWith("javax.")
                || type.getName().startsWith("jdk.") || type.getName().startsWith("sun.");
    }

    /**
     * For collections and maps: Kryo's serializer where Kryo can build the type itself, Java serialisation for the
     * JDK's private implementations ({@code Collections.unmodifiableList}, {@code Arrays.asList}, ...).
     */
    private static final class JdkAwareFactory implements SerializerFactory<Serializer<?>> {
        private final java.util.function.Supplier<Serializer<?>> plain;
        private final ClassFilter filter;

        JdkAwareFactory(java.util.function.Supplier<Serializer<?>> plain, ClassFilter filter) {
            this.plain = plain;
            this.filter = filter;
        }

        @Override
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            if (isPlainJdkType(type)) {
                return plain.get();
            }
            if (Serializable.class.isAssignableFrom(type)) {
                return new FilteredJavaSerializer(filter);
            }
            throw new SerializationException("cannot serialise " + type.getName()
                    + ": a JDK-internal collection that is not Serializable");
        }

        @Override
        public boolean isSupported(Class type) {
            return true;
        }
    }

    /** Checks every class Kryo reads by name against the allow-list, before any instance is made. */
    private static final class FilteringClassResolver extends com.esotericsoftware.kryo.util.DefaultClassResolver {
        private final ClassFilter filter;

        FilteringClassResolver(ClassFilter filter) {
            this.filter = filter;
        }

        @Override
        protected com.esotericsoftware.kryo.Registration readName(Input input) {
            com.esotericsoftware.kryo.Registration registration = super.readName(input);
            filter.check(registration.getType());
            return registration;
        }
    }

    /**
     * Java serialisation for exceptions and the JDK's private classes, through this JVM's class loader and under
     * the allow-list. Kryo's own JavaSerializer has no filter.
     */
    private static final class FilteredJavaSerializer extends Serializer<Object> {
        private final ClassFilter filter;

        FilteredJavaSerializer(ClassFilter filter) {
            this.filter = filter;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(object);
            } catch (java.io.IOException e) {
                throw new SerializationException("cannot serialise " + object.getClass().getName()
                        + " with Java serialisation: " + e, e);
            }
            // Length first: the reader hands Java serialisation exactly these bytes, never Kryo's that follow.
            output.writeVarInt(bytes.size(), true);
            output.writeBytes(bytes.toByteArray());
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            byte[] bytes = input.readBytes(input.readVarInt(true));
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes)) {
                @Override
                protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws ClassNotFoundException {
                    return Class.forName(desc.getName(), false, kryo.getClassLoader());
                }
            }) {
                if (filter.objectInputFilter() != null) {
                    in.setObjectInputFilter(filter.objectInputFilter());
                }
                return in.readObject();
            } catch (java.io.IOException | ClassNotFoundException e) {
                throw new SerializationException("cannot deserialise " + type.getName() + ": " + e, e);
            }
        }
    }

    /** Refuses a type that must never cross, with the reason. */
    private static final class Refuse extends Serializer<Object> {
        private final String reason;

        Refuse(String reason) {
            this.reason = reason;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            throw new SerializationException("cannot serialise " + object.getClass().getName() + ": " + reason);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            throw new SerializationException("cannot deserialise " + type.getName() + ": " + reason);
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

    /**
     * Kryo's field serializer for user classes, with two guards: JDK classes cross with Java serialisation (their
     * fields are not open to reflection), and a lambda that is not serialisable is refused here, on the sending
     * side, where the error can name it, instead of failing obscurely on the other side.
     */
    private static final class GuardedFieldSerializerFactory implements SerializerFactory<Serializer<?>> {
        private final SerializerFactory.FieldSerializerFactory fields = new SerializerFactory.FieldSerializerFactory();
        private final ClassFilter filter;

        GuardedFieldSerializerFactory(ClassFilter filter) {
            this.filter = filter;
        }

        @Override
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            if (type.isHidden() || type.isSynthetic() && type.getName().contains("$$Lambda")) {
                throw new SerializationException("cannot serialise " + type.getName()
                        + ": a lambda that is not Serializable (declare the functional interface it implements "
                        + "to extend java.io.Serializable, or use io.procpool.Task)");
            }
            // Kryo looks a proxy up as InvocationHandler; a proxy's class only exists in the JVM that made it.
            if (java.lang.reflect.Proxy.isProxyClass(type) || type == java.lang.reflect.InvocationHandler.class) {
                throw new SerializationException("cannot serialise " + type.getName() + ": a dynamic proxy");
            }
            if (isJdk(type)) {
                if (Serializable.class.isAssignableFrom(type)) {
                    return new FilteredJavaSerializer(filter);
                }
                throw new SerializationException("cannot serialise " + type.getName()
                        + ": a JDK class that is not Serializable");
            }
            return fields.newSerializer(kryo, type);
        }

        @Override
        public boolean isSupported(Class type) {
            return true;
        }
    }
}
