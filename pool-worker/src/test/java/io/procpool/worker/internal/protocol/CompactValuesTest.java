package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs of values of one common class, said once: they come back equal, of the same class, bit for bit. */
class CompactValuesTest {
    private static Object[] roundTrip(Object[] values) {
        byte kind = CompactValues.kindOf(values, values.length);
        Output out = new Output(64, -1);
        CompactValues.write(out, kind, values, values.length);
        Input in = new Input(out.getBuffer(), 0, out.position());
        Object[] back = new Object[values.length];
        CompactValues.read(in, in.readByte(), back, values.length);
        assertEquals(out.position(), in.position(), "every byte read");
        return back;
    }

    @Test
    void shouldCarryIntegersLongsDoublesAndStringsAsTheyWere() {
        Object[][] runs = {
            {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 20},
            {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40},
            {0.0, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_0001L), Double.MIN_VALUE,
                Double.NEGATIVE_INFINITY, 1.5},
            {"", "a", "ünïcödé ✓ 𝄞", "x".repeat(10_000)},
        };
        for (Object[] run : runs) {
            Object[] back = roundTrip(run);
            assertArrayEquals(run, back);
            for (int i = 0; i < run.length; i++) {
                assertEquals(run[i].getClass(), back[i].getClass());
                if (run[i] instanceof Double) {
                    assertEquals(Double.doubleToRawLongBits((Double) run[i]),
                            Double.doubleToRawLongBits((Double) back[i]), "the same bits: " + run[i]);
                }
            }
        }
    }

    @Test
    void shouldLeaveMixesNullsOtherClassesAndEmptyRunsToTheSerializer() {
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{1, 2L}, 2));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{1, null}, 2));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{null}, 1));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{(short) 1}, 1));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{new StringBuilder("a")}, 1));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[0], 0));
        assertEquals(CompactValues.NONE, CompactValues.kindOf(new Object[]{"a", 1}, 2));
        assertEquals(CompactValues.INT, CompactValues.kindOf(new Object[]{1, "not counted"}, 1),
                "only the first count values are looked at");
    }
}
