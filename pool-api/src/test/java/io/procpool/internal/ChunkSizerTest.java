package io.procpool.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chunk sizes from measured durations, and what a pool remembers of them between calls. */
class ChunkSizerTest {
    private static final long TARGET_NANOS = 2_000_000;

    @Test
    void shouldLeaveTheFirstChunksToTheCallWhenNothingIsKnown() {
        assertEquals(0, new ChunkSizer(TARGET_NANOS, 2, Integer.MAX_VALUE, -1).first(20_000));
    }

    @Test
    void shouldStartAKnownTinyTaskWithChunksOfATargetsLengthCappedAtAShareOfTheItems() {
        assertEquals(5_000, new ChunkSizer(TARGET_NANOS, 2, Integer.MAX_VALUE, 10).first(20_000),
                "200,000 items would fill the target; a quarter of the call is the cap");
        assertEquals(2_000, new ChunkSizer(TARGET_NANOS, 2, Integer.MAX_VALUE, 1_000).first(1_000_000));
        assertEquals(128, new ChunkSizer(TARGET_NANOS, 2, 128, 10).first(Long.MAX_VALUE), "a lazy call's cap");
    }

    @Test
    void shouldStartAKnownLongTaskOneItemAtATime() {
        assertEquals(1, new ChunkSizer(TARGET_NANOS, 2, Integer.MAX_VALUE, 50_000_000).first(4));
    }

    @Test
    void shouldGrowAtMostFourfoldPerChunk() {
        ChunkSizer sizer = new ChunkSizer(TARGET_NANOS, 2, Integer.MAX_VALUE, -1);
        assertEquals(64, sizer.next(16, 16, 160, 1_000_000));
        assertTrue(sizer.nanosPerItem() > 0);
    }

    @Test
    void shouldRememberTheLastDurationPerTaskClassAndStayBounded() {
        ChunkMemory memory = new ChunkMemory();
        assertTrue(memory.nanosPerItem(String.class) < 0);
        memory.remember(String.class, 12.5);
        assertEquals(12.5, memory.nanosPerItem(String.class));
        memory.remember(String.class, 20);
        assertEquals(20, memory.nanosPerItem(String.class));
        Class<?> last = null;
        for (int dimensions = 1; dimensions <= 200; dimensions++) {
            for (Class<?> component : new Class<?>[]{int.class, long.class}) {
                last = java.lang.reflect.Array.newInstance(component, new int[dimensions]).getClass();
                memory.remember(last, dimensions);
            }
        }
        assertEquals(200, memory.nanosPerItem(last), "the latest is kept");
        assertTrue(memory.size() <= 256, "bounded: " + memory.size());
    }
}
