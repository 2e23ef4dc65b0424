package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.transport.QueueSizes;

import java.nio.file.Path;

/**
 * The values crossing as Kryo writes them, set up by {@link KryoCodec#newKryo(ClassFilter)}: each value with
 * its class, references kept within a value, large byte arrays through a file of their own.
 */
final class KryoSerializer implements ValueSerializer {
    private final Kryo kryo;
    private final SharedArraySerializer arrays;

    private KryoSerializer(Kryo kryo, SharedArraySerializer arrays) {
        this.kryo = kryo;
        this.arrays = arrays;
    }

    /**
     * Creates a serializer for one thread.
     *
     * @param filter       the classes it may read
     * @param sharedArrays the pool's directory, where large arrays are passed; {@code null} to write them inline
     * @return a serializer for one thread
     */
    public static KryoSerializer create(ClassFilter filter, Path sharedArrays) {
        return create(filter, sharedArrays, QueueSizes.DEFAULT);
    }

    /**
     * Makes a serializer for one thread.
     *
     * @param filter       the classes it may read
     * @param sharedArrays the pool's directory, where large arrays are passed; {@code null} to write them inline
     * @param sizes        the pool's queue sizes, whose margin a large array leaves free beside it
     * @return a serializer for one thread
     */
    public static KryoSerializer create(ClassFilter filter, Path sharedArrays, QueueSizes sizes) {
        return create(filter, sharedArrays, sizes, null);
    }

    /**
     * Makes a serializer for one thread that reads classes through {@code loader}.
     *
     * @param filter       the classes it may read
     * @param sharedArrays the pool's directory, where large arrays are passed; {@code null} to write them inline
     * @param sizes        the pool's queue sizes, whose margin a large array leaves free beside it
     * @param loader       where classes are read from; {@code null} for the thread's context class loader
     * @return a serializer for one thread
     */
    static KryoSerializer create(ClassFilter filter, Path sharedArrays, QueueSizes sizes, ClassLoader loader) {
        Kryo kryo = KryoCodec.newKryo(filter);
        if (loader != null) {
            kryo.setClassLoader(loader);
        }
        SharedArraySerializer arrays = new SharedArraySerializer(sharedArrays, sizes.marginBytes());
        kryo.register(byte[].class, arrays);
        return new KryoSerializer(kryo, arrays);
    }

    @Override
    public void write(Output out, Object value) {
        kryo.writeClassAndObject(out, value);
    }

    @Override
    public Object read(Input in) {
        return kryo.readClassAndObject(in);
    }

    @Override
    public void reset() {
        kryo.reset();
    }

    @Override
    public long takeOutOfBandBytes() {
        return arrays.takeOutOfBandBytes();
    }
}
