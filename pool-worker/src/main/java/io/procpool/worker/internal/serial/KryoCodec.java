package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import com.esotericsoftware.minlog.Log;
import io.procpool.SerializationException;
import org.objenesis.strategy.StdInstantiatorStrategy;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The Kryo set-up both sides share, so that users register nothing: serialisable lambdas with their captured
 * values, records, classes without a no-argument constructor, and the JDK's collections all cross as they are.
 *
 * <p>What crosses keeps its behaviour, not only its elements: {@link FidelityPolicy} chooses, per class, between
 * Kryo's own serializers (where they are known to be faithful), Java serialisation for the shape of what Kryo cannot
 * rebuild (comparators kept by {@code readObject}, access order, exceptions with their causes), a faithful copy of
 * the JDK's views, and a clear {@link SerializationException} for what cannot cross. Kryo reads JDK internals only
 * through public API, so none of this needs {@code --add-opens}. Kryo instances are not thread-safe; this class
 * pools them.
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
     * Returns the one codec of this JVM.
     *
     * @return the shared codec
     */
    public static KryoCodec get() {
        return INSTANCE;
    }

    /**
     * Takes a Kryo instance for the calling thread's use; it must not be shared between threads until released.
     *
     * @return a Kryo instance from the pool, to give back with {@link #release(Kryo)}
     */
    public Kryo obtain() {
        return kryos.obtain();
    }

    /**
     * Gives a Kryo instance back, cleared of references to what it last saw.
     *
     * @param kryo an instance {@link #obtain()} returned, no longer used by the caller
     */
    public void release(Kryo kryo) {
        kryo.reset();
        kryos.free(kryo);
    }

    /**
     * Serialises one object with its class.
     *
     * @param value the object, possibly {@code null}
     * @param what  names the object in an error, e.g. "the function"
     * @return the bytes, for {@link #fromBytes}
     * @throws SerializationException naming the class that failed
     */
    public byte[] toBytes(Object value, String what) {
        Kryo kryo = obtain();
        // A lambda names its capturing class, which Kryo looks up: through the loader that has it, which for an
        // application on a class loader of its own is not the one this pooled Kryo was made on.
        ClassLoader loader = value == null ? null : value.getClass().getClassLoader();
        kryo.setClassLoader(loader != null ? loader : classLoader());
        try (Output output = new RawBitsOutput(INITIAL_BUFFER_BYTES, -1)) {
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
     * @param bytes  a buffer holding the object's bytes
     * @param offset where they start in {@code bytes}
     * @param length how many there are
     * @param what   names the object in an error, e.g. "a result"
     * @return the object, possibly {@code null}
     * @throws SerializationException naming the class that failed
     */
    public Object fromBytes(byte[] bytes, int offset, int length, String what) {
        Kryo kryo = obtain();
        // Pooled instances keep the loader toBytes last gave them: read through this thread's, not a stale one.
        kryo.setClassLoader(classLoader());
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
     *
     * @param doing what failed, for the start of the message, e.g. "could not serialise the function"
     * @param value the object being written, or {@code null} when reading
     * @param e     Kryo's error
     * @return the exception to throw, with {@code e} as its cause
     */
    public static SerializationException failure(String doing, Object value, Throwable e) {
        if (e instanceof SerializationException) {
            // Already names the class and why: say which value it was.
            return new SerializationException(doing + ": " + e.getMessage(), e);
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
     * Creates a Kryo instance set up as both sides of a pool expect, allowed to read any class.
     *
     * @return a Kryo configured the way both sides of a pool must agree on, reading any class
     */
    public static Kryo newKryo() {
        return newKryo(ClassFilter.ALLOW_ALL);
    }

    /**
     * Creates a Kryo instance set up as both sides of a pool expect, allowed to read only what {@code filter}
     * allows.
     *
     * @param filter the classes this Kryo may read
     * @return a Kryo configured the way both sides of a pool must agree on
     */
    public static Kryo newKryo(ClassFilter filter) {
        GuardedReferenceResolver references = new GuardedReferenceResolver();
        Kryo kryo = filter == ClassFilter.ALLOW_ALL ? new Kryo(new DefaultClassResolver(), references)
                : new Kryo(new FilteringClassResolver(filter), references);
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setClassLoader(classLoader());
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        // Decides, per class, what keeps a value's behaviour (see FidelityPolicy); registered ahead of Kryo's own
        // defaults below. Registrations keep their order: it numbers them, and every Kryo of a pool must agree.
        FidelityPolicy policy = new FidelityPolicy(filter);
        kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer(new JavaShapeSerializer(filter, policy)));
        // Replaces Kryo's own for byte[], keeping its registration id: every Kryo of a pool writes the same format.
        // Inline here; KryoSerializer passes large arrays through files instead, in the same format.
        kryo.register(byte[].class, new SharedArraySerializer(null, 0));
        // Kryo's faithful serializers for classes its constructor leaves to the default.
        kryo.addDefaultSerializer(UUID.class, new DefaultSerializers.UUIDSerializer());
        kryo.addDefaultSerializer(URI.class, new DefaultSerializers.URISerializer());
        kryo.addDefaultSerializer(Pattern.class, new DefaultSerializers.PatternSerializer());
        kryo.addDefaultSerializer(AtomicBoolean.class, new DefaultSerializers.AtomicBooleanSerializer());
        kryo.addDefaultSerializer(AtomicInteger.class, new DefaultSerializers.AtomicIntegerSerializer());
        kryo.addDefaultSerializer(AtomicLong.class, new DefaultSerializers.AtomicLongSerializer());
        kryo.addDefaultSerializer(AtomicReference.class, new DefaultSerializers.AtomicReferenceSerializer());
        kryo.addDefaultSerializer(Object.class, policy);
        kryo.setDefaultSerializer(policy);
        return kryo;
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : KryoCodec.class.getClassLoader();
    }

    /** Checks every class Kryo reads by name against the allow-list, before any instance is made. */
    private static final class FilteringClassResolver extends DefaultClassResolver {
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
}
