package io.procpool.launcher;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A NaN with a payload crosses to a worker and back with its bits, however it travels. */
class DoubleBitsTest {
    private static final long PAYLOAD_NAN_BITS = 0x7ff8_0000_0000_0001L;

    /** A value Kryo writes field by field, holding the NaN in a primitive field and in an array. */
    record Reading(double value, double[] history) {
    }

    @Test
    void shouldCarryANaNWithItsPayloadAsItemResultFieldAndArrayElement() {
        double nan = Double.longBitsToDouble(PAYLOAD_NAN_BITS);
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertEquals(PAYLOAD_NAN_BITS, pool.apply((Double d) -> Double.doubleToRawLongBits(d), nan),
                    "an item, as the worker sees it");
            double back = pool.apply((Long bits) -> Double.longBitsToDouble(bits), PAYLOAD_NAN_BITS);
            assertEquals(PAYLOAD_NAN_BITS, Double.doubleToRawLongBits(back), "a result");
            List<Long> mixed = pool.map((Object o) -> o instanceof Reading r
                    ? Double.doubleToRawLongBits(r.value()) ^ Double.doubleToRawLongBits(r.history()[1])
                    : Double.doubleToRawLongBits((Double) o), List.of(nan, new Reading(nan, new double[]{1, nan})), 1);
            assertEquals(List.of(PAYLOAD_NAN_BITS, 0L), mixed, "a field and an array element: their bits are equal");
            Reading reading = pool.apply((Integer i) -> new Reading(Double.longBitsToDouble(PAYLOAD_NAN_BITS),
                    new double[]{Double.longBitsToDouble(PAYLOAD_NAN_BITS)}), 0);
            assertEquals(PAYLOAD_NAN_BITS, Double.doubleToRawLongBits(reading.value()));
            assertEquals(PAYLOAD_NAN_BITS, Double.doubleToRawLongBits(reading.history()[0]),
                    Arrays.toString(reading.history()));
        }
    }
}
