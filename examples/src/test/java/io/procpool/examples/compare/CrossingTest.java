package io.procpool.examples.compare;

import io.procpool.PoolStats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CrossingTest {
    private static PoolStats stats(long completed, long bytesOut, long bytesBack, long parentSer, long parentDeser,
                                   long workerDeser, long workerSer) {
        // Fields the per-item figures must not read are set to values that would show if they did.
        return new PoolStats(999, completed, 7, 5, bytesOut, bytesBack, parentSer, parentDeser, workerDeser, 123_456,
                workerSer, 9_999_999, 2, 1, 0, 1);
    }

    @Test
    void shouldDivideTheDifferenceBetweenSnapshotsByTheItemsCompletedInBetween() {
        PoolStats before = stats(10, 1_000, 2_000, 5_000, 6_000, 7_000, 8_000);
        PoolStats after = stats(14, 1_200, 2_100, 13_000, 10_000, 27_000, 8_400);

        Crossing perItem = Crossing.between(before, after);

        assertEquals(4, perItem.items());
        assertEquals(50.0, perItem.bytesToWorkers());
        assertEquals(25.0, perItem.bytesFromWorkers());
        // Nanoseconds in the stats, microseconds per item out: 8,000 ns over 4 items is 2 us each.
        assertEquals(2.0, perItem.parentSerializeMicros(), 1e-12);
        assertEquals(5.0, perItem.workerDeserializeMicros(), 1e-12);
        assertEquals(0.1, perItem.workerSerializeMicros(), 1e-12);
        assertEquals(1.0, perItem.parentDeserializeMicros(), 1e-12);
        assertEquals(8.1, perItem.codecMicros(), 1e-12);
    }

    @Test
    void shouldRefuseAStretchInWhichNothingCompleted() {
        PoolStats same = stats(10, 1_000, 2_000, 5_000, 6_000, 7_000, 8_000);

        assertThrows(IllegalArgumentException.class, () -> Crossing.between(same, same));
    }

    @Test
    void shouldSendAboutTheBudgetPerPayloadWithinTheCallLimits() {
        Plan quick = Plan.quick(2);

        // 2 MiB over 8,000 bytes is 262 calls, above the quick plan's most (200): the most.
        assertEquals(200, quick.serialCalls(Payload.DOUBLES_1K.approximateBytes()));
        // 2 MiB over 150,000 bytes is 13 calls, within the limits.
        assertEquals(13, quick.serialCalls(Payload.MAP_10K.approximateBytes()));
        // 2 MiB over 800,000 bytes is 2 calls, below the fewest (3): the fewest.
        assertEquals(3, quick.serialCalls(Payload.DOUBLES_100K.approximateBytes()));
    }
}
