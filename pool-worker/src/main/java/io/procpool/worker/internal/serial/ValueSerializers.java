package io.procpool.worker.internal.serial;

import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.worker.internal.transport.QueueSizes;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Makes the {@link ValueSerializer} for a pool's {@link Serialization}, and serialises the odd value (a function,
 * an initializer) on any thread with one kept per thread. Both sides of a pool make theirs here, so they agree.
 */
public final class ValueSerializers {
    /** The system property that tells a worker its pool's serialisation. */
    public static final String PROPERTY = "procpool.serialization";

    private static final ThreadLocal<Map<Serialization, Held>> PER_THREAD =
            ThreadLocal.withInitial(() -> new EnumMap<>(Serialization.class));

    private ValueSerializers() {
    }

    /**
     * Makes a serializer for one thread, with the default queue sizes.
     *
     * @param serialization how values cross
     * @param filter        the classes it may read
     * @param sharedArrays  the pool's directory, where Kryo passes large arrays; {@code null} to write them inline
     * @return a serializer for one thread
     * @throws PoolException for {@link Serialization#FORY} without Apache Fory on the class path, naming the
     *                       dependency to add
     */
    public static ValueSerializer create(Serialization serialization, ClassFilter filter, Path sharedArrays) {
        return create(serialization, filter, sharedArrays, QueueSizes.DEFAULT);
    }

    /**
     * Makes a serializer for one thread, its large arrays leaving the margin of the pool's queue sizes free.
     *
     * @param serialization how values cross
     * @param filter        the classes it may read
     * @param sharedArrays  the pool's directory, where Kryo passes large arrays; {@code null} to write them inline
     * @param sizes         the pool's queue sizes, whose margin a large array's file leaves free beside it
     * @return a serializer for one thread
     * @throws PoolException for {@link Serialization#FORY} without Apache Fory on the class path, naming the
     *                       dependency to add
     */
    public static ValueSerializer create(Serialization serialization, ClassFilter filter, Path sharedArrays,
                                         QueueSizes sizes) {
        return create(serialization, filter, sharedArrays, sizes, null);
    }

    /**
     * Makes a serializer for one thread that reads classes through {@code loader}: a worker's, once its parent has
     * sent it classes that exist only in the parent's memory; the parent's, to rebuild results of such classes.
     *
     * @param serialization how values cross
     * @param filter        the classes it may read
     * @param sharedArrays  the pool's directory, where Kryo passes large arrays; {@code null} to write them inline
     * @param sizes         the pool's queue sizes, whose margin a large array's file leaves free beside it
     * @param loader        where classes are read from; {@code null} for the thread's context class loader
     * @return a serializer for one thread
     * @throws PoolException for {@link Serialization#FORY} without Apache Fory on the class path, naming the
     *                       dependency to add
     */
    public static ValueSerializer create(Serialization serialization, ClassFilter filter, Path sharedArrays,
                                         QueueSizes sizes, ClassLoader loader) {
        switch (serialization) {
            case KRYO:
                return KryoSerializer.create(filter, sharedArrays, sizes, loader);
            case JAVA:
                return new JavaValueSerializer(filter, loader);
            case FORY:
                // Checked first: without Fory, ForyValueSerializer would fail to link with a NoClassDefFoundError
                // naming one of Fory's classes, not the dependency to add.
                ForyDependency.require();
                return new ForyValueSerializer(filter, loader);
            default:
                throw new IllegalArgumentException("unknown serialization " + serialization);
        }
    }

    /**
     * Checks that this JVM has what {@code serialization} needs, so that a pool asked for it can fail when it is
     * built rather than when it first carries a value: Kryo and Java serialisation come with procpool; Apache Fory
     * ({@link Serialization#FORY}) is an optional dependency that the application adds. Loads no Fory class
     * unless {@code serialization} is {@code FORY}.
     *
     * @param serialization how values are to cross
     * @throws PoolException for {@link Serialization#FORY} without Apache Fory on the class path, naming the Maven
     *                       dependency to add ({@code org.apache.fory:fory-core} at the version procpool is built
     *                       against)
     */
    public static void requireAvailable(Serialization serialization) {
        if (serialization == Serialization.FORY) {
            ForyDependency.require();
        }
    }

    /** {@return the serialisation a worker was started with, from {@value #PROPERTY}; Kryo by default} */
    public static Serialization fromSystemProperty() {
        return Serialization.valueOf(System.getProperty(PROPERTY, Serialization.KRYO.name()));
    }

    /**
     * Serialises one value as {@code create(serialization, ...).write} would, for the other side's
     * {@link ValueSerializer#read} to rebuild.
     *
     * @param serialization how the value crosses
     * @param value         the value
     * @param what          names the value in an error, e.g. "the function"
     * @return the bytes
     * @throws SerializationException naming the class that failed
     * @throws PoolException          for {@link Serialization#FORY} without Apache Fory on the class path
     */
    public static byte[] toBytes(Serialization serialization, Object value, String what) {
        if (serialization == Serialization.KRYO) {
            return KryoCodec.get().toBytes(value, what);
        }
        // Fory binds a class loader to each instance: a thread whose context loader changed gets a new one.
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<Serialization, Held> held = PER_THREAD.get();
        Held serializer = held.get(serialization);
        if (serializer == null || serializer.loader != loader) {
            serializer = new Held(create(serialization, ClassFilter.ALLOW_ALL, null, QueueSizes.DEFAULT, null), loader);
            held.put(serialization, serializer);
        }
        try (RawBitsOutput out = new RawBitsOutput(256, -1)) {
            serializer.values.write(out, value);
            return out.toBytes();
        } catch (RuntimeException | StackOverflowError e) {
            serializer.values.reset();
            throw KryoCodec.failure("could not serialise " + what, value, e);
        }
    }

    private record Held(ValueSerializer values, ClassLoader loader) {
    }
}
