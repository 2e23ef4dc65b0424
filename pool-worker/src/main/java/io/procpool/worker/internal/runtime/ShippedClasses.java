package io.procpool.worker.internal.runtime;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.protocol.ShippedClass;
import io.procpool.worker.internal.serial.ShippedClassLoader;
import io.procpool.worker.internal.serial.ValueSerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A worker's classes that exist only in its parent's memory, which its parent sends by value (CLASSES messages), and
 * the serializer that reads through them. Classes of new names join the current {@link ShippedClassLoader} (it
 * defines each on first use); a class that changed (jshell redefined it) makes a fresh loader holding everything
 * sent so far, in its latest version, so the next task sees the new class and no class of the old set stays
 * reachable from the serializer. The worker's main thread reads through the current loader, as its context class
 * loader, so that a task's own look-ups find them too.
 *
 * <p>The serializer is swapped, not told of the new loader: Kryo and Fory cache classes by name.
 */
final class ShippedClasses implements ValueSerializer {
    private final Function<ClassLoader, ValueSerializer> serializers;
    private final Map<String, ShippedClass> held = new HashMap<>();
    private ValueSerializer values;
    private ShippedClassLoader loader;

    /**
     * @param values      the serializer to use until classes arrive
     * @param serializers makes a serializer that reads classes through a loader
     */
    ShippedClasses(ValueSerializer values, Function<ClassLoader, ValueSerializer> serializers) {
        this.values = values;
        this.serializers = serializers;
    }

    /**
     * Takes classes the parent sent.
     *
     * @param classes the classes, new or changed
     * @return whether they came in a new loader, so that what was rebuilt through the old one must be rebuilt again
     */
    boolean receive(List<ShippedClass> classes) {
        boolean changed = loader == null;
        for (ShippedClass shipped : classes) {
            ShippedClass before = held.put(shipped.name(), shipped);
            changed |= before != null && before.hash() != shipped.hash();
        }
        if (!changed) {
            classes.forEach(shipped -> loader.add(shipped.name(), shipped.bytes()));
            return false;
        }
        Map<String, byte[]> bytes = new HashMap<>();
        held.forEach((name, shipped) -> bytes.put(name, shipped.bytes()));
        ClassLoader application = ShippedClasses.class.getClassLoader();
        loader = new ShippedClassLoader(bytes, application);
        Thread.currentThread().setContextClassLoader(loader);
        values = serializers.apply(loader);
        return true;
    }

    /** {@return whether the parent has sent classes, through which values are now read} */
    boolean holdsClasses() {
        return loader != null;
    }

    @Override
    public void write(Output out, Object value) {
        values.write(out, value);
    }

    @Override
    public Object read(Input in) {
        return values.read(in);
    }

    @Override
    public void reset() {
        values.reset();
    }

    @Override
    public long takeOutOfBandBytes() {
        return values.takeOutOfBandBytes();
    }
}
