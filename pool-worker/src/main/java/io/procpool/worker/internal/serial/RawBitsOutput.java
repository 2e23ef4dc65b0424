package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Output;

/**
 * Kryo's output buffer, writing {@code double} and {@code float} values by their raw bits. Kryo's own writes them
 * with {@code doubleToLongBits}, which folds every NaN into the canonical one: a NaN carrying a payload would come
 * back changed without an error. Every value Kryo writes for the pool (boxed, in arrays, in fields) goes through
 * these methods, so the fix sits here, once; reading needs none ({@code longBitsToDouble} keeps the bits).
 */
public final class RawBitsOutput extends Output {
    /**
     * Creates an output with a buffer of its own.
     *
     * @param bufferSize    the initial size
     * @param maxBufferSize the most it may grow to, -1 for no limit
     */
    public RawBitsOutput(int bufferSize, int maxBufferSize) {
        super(bufferSize, maxBufferSize);
    }

    @Override
    public void writeDouble(double value) {
        writeLong(Double.doubleToRawLongBits(value));
    }

    @Override
    public void writeFloat(float value) {
        writeInt(Float.floatToRawIntBits(value));
    }

    @Override
    public void writeDoubles(double[] array, int offset, int count) {
        for (int i = offset, end = offset + count; i < end; i++) {
            writeLong(Double.doubleToRawLongBits(array[i]));
        }
    }

    @Override
    public void writeFloats(float[] array, int offset, int count) {
        for (int i = offset, end = offset + count; i < end; i++) {
            writeInt(Float.floatToRawIntBits(array[i]));
        }
    }
}
