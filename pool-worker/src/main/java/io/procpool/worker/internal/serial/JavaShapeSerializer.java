package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Java serialisation for the shape of an object that Kryo cannot rebuild faithfully (a {@code TreeMap}'s comparator
 * kept by its own {@code readObject}, an access-ordered {@code LinkedHashMap}, a class with a {@code readResolve}),
 * and Kryo for what it holds.
 *
 * <p>Inside the Java stream every object that Kryo handles itself (user classes, lambdas, JDK classes that are not
 * {@code Serializable}) is replaced by a {@link Leaf}, an index into a list that Kryo writes after the Java bytes.
 * So the contents need not be {@code Serializable}, keep their identity with the rest of the Kryo graph, and cost
 * what Kryo costs. The reader reads the leaves first, then lets Java serialisation rebuild the shape around them.
 *
 * <p>What this cannot do is let a leaf refer back to the object being written (its leaves are rebuilt before it
 * exists): {@link GuardedReferenceResolver} turns such a cycle into a {@link SerializationException} instead of a
 * silently missing reference.
 */
final class JavaShapeSerializer extends Serializer<Object> {
    private final ClassFilter filter;
    private final FidelityPolicy policy;

    JavaShapeSerializer(ClassFilter filter, FidelityPolicy policy) {
        this.filter = filter;
        this.policy = policy;
    }

    /**
     * Stands in a Java stream for the object Kryo writes as leaf number {@code index}.
     *
     * @param index the leaf's number, in the order Kryo writes the leaves
     */
    record Leaf(int index) implements Serializable {
    }

    @Override
    public void write(Kryo kryo, Output output, Object object) {
        List<Object> leaves = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (LeafReplacingOutput out = new LeafReplacingOutput(bytes, object, leaves)) {
            out.writeObject(object);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialise " + object.getClass().getName()
                    + " with Java serialisation (procpool uses it for classes Kryo cannot rebuild faithfully): "
                    + Failures.rootCause(e), e);
        }
        // Length first: the reader hands Java serialisation exactly these bytes, never Kryo's that follow.
        output.writeVarInt(bytes.size(), true);
        output.writeBytes(bytes.toByteArray());
        output.writeVarInt(leaves.size(), true);
        GuardedReferenceResolver references = GuardedReferenceResolver.of(kryo);
        references.enterShape(object);
        try {
            for (Object leaf : leaves) {
                kryo.writeClassAndObject(output, leaf);
            }
        } finally {
            references.exitShape(object);
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        byte[] bytes = input.readBytes(input.readVarInt(true));
        int count = input.readVarInt(true);
        List<Object> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(kryo.readClassAndObject(input));
        }
        try (LeafResolvingInput in = new LeafResolvingInput(new ByteArrayInputStream(bytes), kryo, leaves)) {
            if (filter.objectInputFilter() != null) {
                in.setObjectInputFilter(filter.objectInputFilter());
            }
            return in.readObject();
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new SerializationException("cannot deserialise " + type.getName() + " with Java serialisation: "
                    + Failures.rootCause(e), e);
        }
    }

    /** Writes the shape, handing every object that Kryo writes better to the leaf list. */
    private final class LeafReplacingOutput extends ObjectOutputStream {
        private final Object root;
        private final List<Object> leaves;

        LeafReplacingOutput(ByteArrayOutputStream bytes, Object root, List<Object> leaves) throws IOException {
            super(bytes);
            this.root = root;
            this.leaves = leaves;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object object) {
            // Java serialisation asks once per distinct object and reuses the answer for later references to it.
            if (object == root || !policy.isLeaf(object.getClass())) {
                return object;
            }
            leaves.add(object);
            return new Leaf(leaves.size() - 1);
        }
    }

    /** Reads the shape through this JVM's class loader, putting the leaves back. */
    private static final class LeafResolvingInput extends ObjectInputStream {
        private final Kryo kryo;
        private final List<Object> leaves;

        LeafResolvingInput(ByteArrayInputStream bytes, Kryo kryo, List<Object> leaves) throws IOException {
            super(bytes);
            this.kryo = kryo;
            this.leaves = leaves;
            enableResolveObject(true);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
            return Class.forName(desc.getName(), false, kryo.getClassLoader());
        }

        @Override
        protected Object resolveObject(Object object) {
            return object instanceof Leaf ? leaves.get(((Leaf) object).index()) : object;
        }
    }
}
