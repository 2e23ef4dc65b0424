package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;
import org.apache.fory.Fory;
import org.apache.fory.config.CompatibleMode;
import org.apache.fory.config.Config;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.config.Language;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.serializer.JavaSerializer;
import org.apache.fory.serializer.Serializer;
import org.apache.fory.serializer.collection.CollectionSerializers;
import org.apache.fory.serializer.collection.MapSerializers;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SimpleTimeZone;

/**
 * The values crossing as Apache Fory writes them in its Java mode ({@code Serialization.FORY}), straight into the
 * message's buffer at its position. Set up for this use: any class without registration, references kept (shared
 * objects and cycles), both sides on the same classes (schema-consistent), and where Fory's own serializers would
 * change a value without an error, the JDK-compatible ones: an access-ordered {@code LinkedHashMap} keeps its access
 * order, {@code List.of} with a null from {@code Stream.toList()} reads back, and stack frames keep their text. JDK
 * views that are not {@code Serializable} cross as their nearest faithful equivalent, as with Kryo. One instance per
 * thread (Fory's are not thread-safe), on the thread's context class loader when it is made.
 */
final class ForyValueSerializer implements ValueSerializer {
    private static final String IMMUTABLE_LIST = "java.util.ImmutableCollections$ListN";
    private static final String IMMUTABLE_LIST_12 = "java.util.ImmutableCollections$List12";

    static {
        // Fory logs to standard output, which in a worker is the task's; its warnings say nothing a user acts on.
        org.apache.fory.logging.LoggerFactory.disableLogging();
    }

    /**
     * JDK classes that cross by Java serialisation, because Fory's own serializer for them loses what shapes their
     * behaviour, without a word: a {@code Locale}'s script ({@code zh-Hant-TW}) or extension
     * ({@code en-US-u-ca-japanese}), a {@code SimpleTimeZone}, which came back as GMT; and a stack trace's elements.
     */
    private static final List<Class<?>> JAVA_SERIALISED =
            List.of(StackTraceElement.class, Locale.class, SimpleTimeZone.class);

    private final Fory fory;

    ForyValueSerializer(ClassFilter filter, ClassLoader given) {
        ClassLoader loader = given != null ? given : Thread.currentThread().getContextClassLoader();
        ClassLoader classes = loader != null ? loader : ForyValueSerializer.class.getClassLoader();
        ForyBuilder builder = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withRefTracking(true)
                .withCompatibleMode(CompatibleMode.SCHEMA_CONSISTENT)
                .withClassLoader(classes)
                // No generated serializers: compiling one per class costs a second or more on a small machine, in
                // every worker, and with compilation in the background a value written by one side's interpreted
                // serializer and read by the other's generated one came back as null (List.of, seen in a test).
                // The interpreted serializers carry every value of the conformance catalogue.
                .withCodegen(false)
                // Fory's default of 50 refuses ordinary nesting (a linked list of 51 nodes).
                .withMaxDepth(10_000);
        if (filter != ClassFilter.ALLOW_ALL) {
            builder.withTypeChecker((resolver, className) -> allowed(filter, classes, className));
        }
        this.fory = builder.build();
        fory.registerSerializer(LinkedHashMap.class,
                resolver -> new MapSerializers.JDKCompatibleMapSerializer<>(resolver, LinkedHashMap.class));
        for (Class<?> type : JAVA_SERIALISED) {
            fory.registerSerializer(type, resolver -> new JavaSerializer(resolver, type));
        }
        for (String name : new String[] {IMMUTABLE_LIST, IMMUTABLE_LIST_12}) {
            Class<?> type = jdkClass(name);
            fory.registerSerializer(type,
                    resolver -> new CollectionSerializers.JDKCompatibleCollectionSerializer(resolver, type));
        }
        fory.registerSerializerFactory((resolver, type) -> isCopiedView(type)
                ? new ViewSerializer(resolver.getConfig(), type) : null);
    }

    private static boolean allowed(ClassFilter filter, ClassLoader loader, String className) {
        try {
            return filter.allows(Class.forName(className, false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            return true; // not a class this JVM has: Fory's own error names it
        }
    }

    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this JDK has no " + name, e);
        }
    }

    private static boolean isCopiedView(Class<?> type) {
        return !Serializable.class.isAssignableFrom(type) && FidelityPolicy.isJdk(type)
                && ViewCopySerializer.canCopy(type);
    }

    @Override
    public void write(Output out, Object value) {
        byte[] array = out.getBuffer();
        MemoryBuffer buffer = MemoryBuffer.fromByteArray(array, 0, array.length);
        buffer.writerIndex(out.position());
        try {
            fory.serialize(buffer, value);
        } catch (RuntimeException | StackOverflowError e) {
            throw failure("write", e);
        }
        if (buffer.getHeapMemory() != array) {
            out.setBuffer(buffer.getHeapMemory(), -1); // Fory grew the array, copying what was written before
        }
        out.setPosition(buffer.writerIndex());
    }

    @Override
    public Object read(Input in) {
        MemoryBuffer buffer = MemoryBuffer.fromByteArray(in.getBuffer(), 0, in.limit());
        buffer.readerIndex(in.position());
        try {
            return fory.deserialize(buffer);
        } catch (RuntimeException | StackOverflowError e) {
            throw failure("read", e);
        } finally {
            in.setPosition(buffer.readerIndex());
        }
    }

    private static SerializationException failure(String doing, Throwable e) {
        return new SerializationException(Lambdas.withFix("Fory (Serialization.FORY) could not " + doing
                + " a value: " + Failures.rootCause(e)), e);
    }

    @Override
    public void reset() {
        fory.reset();
    }

    @Override
    public long takeOutOfBandBytes() {
        return 0;
    }

    /** Writes a JDK view as its Serializable equivalent; reads back the equivalent. */
    private static final class ViewSerializer extends Serializer<Object> {
        @SuppressWarnings("unchecked")
        ViewSerializer(Config config, Class<?> type) {
            super(config, (Class<Object>) type);
        }

        @Override
        public void write(WriteContext context, Object view) {
            context.writeRef(ViewCopySerializer.equivalent(view));
        }

        @Override
        public Object read(ReadContext context) {
            return context.readRef();
        }
    }
}
