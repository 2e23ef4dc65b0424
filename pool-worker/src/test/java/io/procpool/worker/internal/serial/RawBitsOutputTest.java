package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A NaN with a payload crosses with its bits, boxed, in arrays and in fields, as every other double does. */
class RawBitsOutputTest {
    private static final double PAYLOAD_NAN = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);
    private static final float PAYLOAD_NAN_FLOAT = Float.intBitsToFloat(0x7fc0_0001);

    /** A user class with primitive fields, which Kryo writes field by field. */
    static final class Sample {
        double d = PAYLOAD_NAN;
        float f = PAYLOAD_NAN_FLOAT;
        double[] ds = {1.5, PAYLOAD_NAN, -0.0};
        float[] fs = {PAYLOAD_NAN_FLOAT};
    }

    private static Object roundTrip(Object value) {
        ValueSerializer serializer = KryoSerializer.create(ClassFilter.ALLOW_ALL, null);
        Output out = new RawBitsOutput(64, -1);
        serializer.write(out, value);
        return serializer.read(new Input(out.getBuffer(), 0, out.position()));
    }

    private static void assertSameBits(double expected, double actual) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual));
    }

    private static void assertSameBits(float expected, float actual) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual));
    }

    @Test
    void shouldKeepTheBitsOfBoxedDoublesAndFloats() {
        assertSameBits(PAYLOAD_NAN, (Double) roundTrip(PAYLOAD_NAN));
        assertSameBits(PAYLOAD_NAN_FLOAT, (Float) roundTrip(PAYLOAD_NAN_FLOAT));
        List<Object> mixed = new ArrayList<>(List.of(PAYLOAD_NAN, "x"));
        assertSameBits(PAYLOAD_NAN, (Double) ((List<?>) roundTrip(mixed)).get(0));
    }

    @Test
    void shouldKeepTheBitsInArraysAndFields() {
        Sample back = (Sample) roundTrip(new Sample());
        Sample original = new Sample();
        assertSameBits(original.d, back.d);
        assertSameBits(original.f, back.f);
        for (int i = 0; i < original.ds.length; i++) {
            assertSameBits(original.ds[i], back.ds[i]);
        }
        assertSameBits(original.fs[0], back.fs[0]);
        double[] plain = (double[]) roundTrip(new double[]{PAYLOAD_NAN, Double.NaN, 1e300});
        assertSameBits(PAYLOAD_NAN, plain[0]);
        assertSameBits(Double.NaN, plain[1]);
        assertSameBits(1e300, plain[2]);
    }

    @Test
    void shouldKeepTheBitsThroughTheOneOffCodec() {
        KryoCodec codec = KryoCodec.get();
        byte[] bytes = codec.toBytes(PAYLOAD_NAN, "a double");
        assertSameBits(PAYLOAD_NAN, (Double) codec.fromBytes(bytes, 0, bytes.length, "a double"));
    }
}
