package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.internal.Chunk;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A chunk's items and outcomes through the codec, and the outcomes back through {@link ResultDecoder}. */
class ChunkCodecTest {
    private static final long FIRST_INDEX = 10;

    private final ValueSerializer values = ValueSerializers.create(Serialization.KRYO, ClassFilter.ALLOW_ALL, null);
    private final Output out = new Output(256, -1);

    private Input written() {
        return new Input(out.getBuffer(), 0, out.position());
    }

    private ResultDecoder.Outcomes decode(int count) {
        ChunkCodec.writeTimings(out, 1, 2, 3);
        return ResultDecoder.decode(values, written(), new Chunk(null, FIRST_INDEX, new Object[count]), count);
    }

    @Test
    void shouldRebuildItemsOfOneClassAndItemsOfMany() {
        for (Object[] items : List.of(new Object[]{1, 2, 3}, new Object[]{"a", 2L, List.of(3), null})) {
            out.reset();
            assertEquals(-1, ChunkCodec.writeItems(values, out, items));
            ChunkCodec.Items back = ChunkCodec.readItems(values, written(), FIRST_INDEX, items.length);
            assertArrayEquals(items, back.values());
            assertEquals(items.length, back.readable());
            assertNull(back.failure());
        }
    }

    @Test
    void shouldRebuildTheItemsBeforeTheFirstThatCannotBeAndSayWhyForTheRest() {
        Object[] items = {"a", URI.create("x:y"), "c"};
        assertEquals(-1, ChunkCodec.writeItems(values, out, items));
        ValueSerializer filtered = ValueSerializers.create(Serialization.KRYO,
                ClassFilter.allowing(List.of("com.example.Only")), null);
        ChunkCodec.Items back = ChunkCodec.readItems(filtered, written(), FIRST_INDEX, items.length);
        assertEquals(1, back.readable());
        assertEquals("a", back.values()[0]);
        assertTrue(back.failure().contains("could not deserialise item 11 in the worker"), back.failure());

        out.reset();
        ChunkCodec.writeOutcomes(values, out, FIRST_INDEX, back, null, new Object[]{"A", null, null},
                new Throwable[3]);
        ResultDecoder.Outcomes outcomes = decode(3);
        assertEquals("A", outcomes.values()[0]);
        assertEquals(2, outcomes.failedCount());
        for (int i = 1; i < 3; i++) {
            SerializationException failure = assertInstanceOf(SerializationException.class, outcomes.failures()[i]);
            assertEquals(back.failure(), failure.getMessage());
        }
    }

    @Test
    void shouldWriteEachItemsOutcomeForTheDecoderToRead() {
        ChunkCodec.Items items = new ChunkCodec.Items(new Object[]{0, 1, 2, 3}, 4, null);
        Object[] results = {"value", null, null, new Thread(() -> { })};
        Throwable[] failures = {null, new IllegalStateException("the task's"),
                new ChunkCodec.PoolFailed(new PoolException("the member's pool")), null};
        ChunkCodec.writeOutcomes(values, out, FIRST_INDEX, items, null, results, failures);
        ResultDecoder.Outcomes outcomes = decode(4);
        assertEquals("value", outcomes.values()[0]);
        assertNull(outcomes.failures()[0]);
        TaskFailedException failed = assertInstanceOf(TaskFailedException.class, outcomes.failures()[1]);
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertEquals("the member's pool", outcomes.failures()[2].getMessage());
        SerializationException unwritable = assertInstanceOf(SerializationException.class, outcomes.failures()[3]);
        assertTrue(unwritable.getMessage().contains("could not serialise the result of item 13"),
                unwritable.getMessage());
        assertEquals(3, outcomes.failedCount());
        assertTrue(outcomes.timingsRead());
        assertEquals(List.of(1L, 2L, 3L),
                List.of(outcomes.deserializeNanos(), outcomes.executeNanos(), outcomes.serializeNanos()));
    }

    @Test
    void shouldWriteResultsOfOneClassCompactly() {
        ChunkCodec.Items items = new ChunkCodec.Items(new Object[]{0, 1, 2}, 3, null);
        ChunkCodec.writeOutcomes(values, out, FIRST_INDEX, items, null, new Object[]{5L, 6L, 7L}, new Throwable[3]);
        assertEquals(CompactValues.LONG, out.getBuffer()[0], "one kind byte, then the values");
        ResultDecoder.Outcomes outcomes = decode(3);
        assertArrayEquals(new Object[]{5L, 6L, 7L}, outcomes.values());
        assertNull(outcomes.failures());
    }

    @Test
    void shouldSayForEveryItemWhyNoneRanWhenTheFunctionCouldNotBeRebuilt() {
        ChunkCodec.Items items = new ChunkCodec.Items(new Object[]{0, 1}, 2, null);
        ChunkCodec.writeOutcomes(values, out, FIRST_INDEX, items, "no function here", new Object[2],
                new Throwable[2]);
        ResultDecoder.Outcomes outcomes = decode(2);
        assertEquals(2, outcomes.failedCount());
        for (PoolException failure : outcomes.failures()) {
            assertEquals("no function here", assertInstanceOf(SerializationException.class, failure).getMessage());
        }
    }

    @Test
    void shouldAnswerUndeliveredItemsEachWithTheReason() {
        ChunkCodec.writeUndelivered(out, 2, "no room");
        ResultDecoder.Outcomes outcomes = decode(2);
        for (PoolException failure : outcomes.failures()) {
            assertEquals("no room", failure.getMessage());
        }
    }
}
