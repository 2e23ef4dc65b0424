package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * The framing's shortcut for a run of values of one common class: the class is said once, then each value in its
 * plain binary form, instead of a class and a serializer call per value. Tiny tasks over numbers and strings are
 * where crossing costs most per item; a general serializer reads a boxed integer in about 100 ns here, this in a
 * few. Values come back as they were: {@code Integer.valueOf}, {@code Long.valueOf}, the same {@code double} bits,
 * an equal string. Any other mix of values goes through the pool's {@link ValueSerializer}, one by one.
 *
 * <pre>
 *   kind:byte  then per value:  INT varint (zig-zag) | LONG varlong (zig-zag) | DOUBLE raw bits:long
 *                              | STRING string
 * </pre>
 */
final class CompactValues {
    /** Not one common class: each value goes through the serializer. */
    public static final byte NONE = 0;
    static final byte INT = 1;
    static final byte LONG = 2;
    static final byte DOUBLE = 3;
    static final byte STRING = 4;

    private CompactValues() {
    }

    /**
     * Finds the one compact kind that all of the first {@code count} values share.
     *
     * @param values the values
     * @param count  how many of them to look at, from the first
     * @return the kind all of {@code values} share, or {@link #NONE} (a {@code null} among them, or a mix)
     */
    public static byte kindOf(Object[] values, int count) {
        if (count == 0 || values[0] == null) {
            return NONE;
        }
        Class<?> type = values[0].getClass();
        byte kind = type == Integer.class ? INT : type == Long.class ? LONG : type == Double.class ? DOUBLE
                : type == String.class ? STRING : NONE;
        if (kind == NONE) {
            return NONE;
        }
        for (int i = 1; i < count; i++) {
            if (values[i] == null || values[i].getClass() != type) {
                return NONE;
            }
        }
        return kind;
    }

    /**
     * Writes {@code values[0, count)}, all of {@code kind}, after the kind byte.
     *
     * @param out    where to write
     * @param kind   the kind {@link #kindOf} found for them, not {@link #NONE}
     * @param values the values
     * @param count  how many of them to write, from the first
     * @throws IllegalArgumentException if {@code kind} is not a compact kind
     */
    public static void write(Output out, byte kind, Object[] values, int count) {
        out.writeByte(kind);
        for (int i = 0; i < count; i++) {
            switch (kind) {
                case INT -> out.writeVarInt((Integer) values[i], false);
                case LONG -> out.writeVarLong((Long) values[i], false);
                // The raw bits: Output.writeDouble, like Kryo's own serializer, folds every NaN into one.
                case DOUBLE -> out.writeLong(Double.doubleToRawLongBits((Double) values[i]));
                case STRING -> out.writeString((String) values[i]);
                default -> throw new IllegalArgumentException("not a compact kind: " + kind);
            }
        }
    }

    /**
     * Reads {@code count} values of {@code kind} (the byte {@link #write} began with) into {@code into}.
     *
     * @param in    where to read, just after the kind byte
     * @param kind  the kind byte
     * @param into  where to put the values, from index 0
     * @param count how many values there are
     * @throws IllegalArgumentException if {@code kind} is not a compact kind
     */
    public static void read(Input in, byte kind, Object[] into, int count) {
        for (int i = 0; i < count; i++) {
            into[i] = switch (kind) {
                case INT -> in.readVarInt(false);
                case LONG -> in.readVarLong(false);
                case DOUBLE -> Double.longBitsToDouble(in.readLong());
                case STRING -> in.readString();
                default -> throw new IllegalStateException("unknown compact kind " + kind);
            };
        }
    }
}
