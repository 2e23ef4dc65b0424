package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;

/**
 * The values crossing as the JDK's own {@code java.io} serialisation writes them ({@code Serialization.JAVA}): each
 * value one stream of its own, {@code length:int} then the stream's bytes. Every object in a value must be
 * {@link Serializable}; one that is not fails naming its class. JDK views that are not {@code Serializable}
 * ({@code subList}, {@code keySet}, {@code Map.entry}...) cross as their nearest faithful equivalent, as with Kryo.
 * Classes are read through the thread's context class loader, under the pool's class allow-list.
 */
final class JavaValueSerializer implements ValueSerializer {
    private final ClassFilter filter;
    /** Where classes are read from; {@code null} for the reading thread's context class loader. */
    private final ClassLoader loader;

    JavaValueSerializer(ClassFilter filter, ClassLoader loader) {
        this.filter = filter;
        this.loader = loader;
    }

    @Override
    public void write(Output out, Object value) {
        int lengthAt = out.position();
        out.writeInt(0);
        int start = out.position();
        try (ViewCopyingOutput stream = new ViewCopyingOutput(new OutputOnKryo(out))) {
            stream.writeObject(value);
        } catch (NotSerializableException e) {
            throw new SerializationException(Lambdas.isLambdaName(e.getMessage())
                    ? e.getMessage() + ": " + Lambdas.FIX
                    : e.getMessage() + " is not Serializable, which Java serialisation (Serialization.JAVA) "
                    + "needs; implement java.io.Serializable, or choose Serialization.KRYO or FORY", e);
        } catch (IOException e) {
            throw new SerializationException("Java serialisation (Serialization.JAVA) failed: " + e, e);
        }
        int end = out.position();
        out.setPosition(lengthAt);
        out.writeInt(end - start);
        out.setPosition(end);
    }

    @Override
    public Object read(Input in) {
        int length = in.readInt();
        int start = in.position();
        try (ContextLoaderInput stream = new ContextLoaderInput(
                new ByteArrayInputStream(in.getBuffer(), start, length), loader)) {
            if (filter.objectInputFilter() != null) {
                stream.setObjectInputFilter(filter.objectInputFilter());
            }
            return stream.readObject();
        } catch (InvalidClassException e) {
            throw new SerializationException("Java serialisation (Serialization.JAVA) refused class "
                    + e.classname + ": " + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new SerializationException("Java serialisation (Serialization.JAVA) could not read a value: " + e,
                    e);
        } finally {
            in.setPosition(start + length);
        }
    }

    @Override
    public void reset() {
        // Each value is a stream of its own: nothing is left half done between values.
    }

    @Override
    public long takeOutOfBandBytes() {
        return 0;
    }

    /** Lets an ObjectOutputStream write into a Kryo Output, which grows as needed; closing it closes nothing. */
    private static final class OutputOnKryo extends OutputStream {
        private final Output out;

        OutputOnKryo(Output out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.writeByte(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            out.writeBytes(bytes, offset, length);
        }
    }

    /** Replaces the JDK's views that are not Serializable by their equivalents, as the Kryo path does. */
    private static final class ViewCopyingOutput extends ObjectOutputStream {
        ViewCopyingOutput(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object object) {
            Class<?> type = object.getClass();
            if (!(object instanceof Serializable) && FidelityPolicy.isJdk(type)
                    && ViewCopySerializer.canCopy(type)) {
                Object copy = ViewCopySerializer.equivalent(object);
                // List.of's classes cross through a serial proxy that only their own writeReplace makes, and a
                // replacement here skips it: an unmodifiable copy behaves the same.
                if (copy.getClass().getName().startsWith("java.util.ImmutableCollections$")) {
                    return copy instanceof java.util.Set ? Collections.unmodifiableSet(new LinkedHashSet<>(
                            (java.util.Set<?>) copy)) : Collections.unmodifiableList(new ArrayList<>(
                            (java.util.Collection<?>) copy));
                }
                return copy;
            }
            return object;
        }
    }

    /** Resolves classes through the thread's context class loader: where a worker finds the application's. */
    private static final class ContextLoaderInput extends ObjectInputStream {
        private final ClassLoader given;

        ContextLoaderInput(ByteArrayInputStream in, ClassLoader given) throws IOException {
            super(in);
            this.given = given;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = given != null ? given : Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // A primitive type's name, or a class only the JDK's own loader has: the default finds those.
                }
            }
            return super.resolveClass(desc);
        }
    }
}
