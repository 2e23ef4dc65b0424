package io.procpool.worker.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MessageQueueTest {
    @TempDir
    Path directory;

    @Test
    void shouldDeliverMessagesInOrderAcrossSegmentsAndDeleteTheSegmentsRead() throws IOException {
        QueueLayout layout = new QueueLayout(directory);
        byte[] message = new byte[64 << 10];
        long total = 3 * QueueSizes.DEFAULT.segmentBytes() / message.length + 5; // spans at least three segments
        long maxSegmentsSeen = 0;
        try (MessageAppender appender = new MessageAppender(layout, QueueLayout.TASKS);
             MessageTailer tailer = new MessageTailer(layout, QueueLayout.TASKS)) {
            for (long i = 0; i < total; i++) {
                ByteBuffer.wrap(message).putLong(0, i);
                appender.write(message, message.length);
                assertTrue(tailer.poll(), "message " + i);
                assertEquals(message.length, tailer.length());
                assertEquals(i, ByteBuffer.wrap(tailer.bytes()).getLong(0));
                maxSegmentsSeen = Math.max(maxSegmentsSeen, segments().size());
            }
            assertFalse(tailer.poll());
        }
        assertTrue(maxSegmentsSeen <= 2, "segments were kept after being read: " + maxSegmentsSeen);
        assertFalse(segments().contains("tasks-0"), "the first segment was not deleted: " + segments());
    }

    @Test
    void shouldCarryMessagesLargerThanABlockInTheSmallestSizes() {
        QueueSizes smallest = new QueueSizes(QueueSizes.SMALLEST_SEGMENT_BYTES);
        QueueLayout layout = new QueueLayout(directory, smallest);
        // Three blocks in one message, then enough small ones to roll to further segments.
        byte[] big = new byte[(int) (3 * smallest.blockBytes()) + 123];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        byte[] small = new byte[100_000];
        int smallOnes = (int) (3 * smallest.segmentBytes() / small.length);
        try (MessageAppender appender = new MessageAppender(layout, QueueLayout.TASKS);
             MessageTailer tailer = new MessageTailer(layout, QueueLayout.TASKS)) {
            appender.write(big, big.length);
            assertTrue(tailer.poll());
            assertArrayEquals(big, Arrays.copyOf(tailer.bytes(), tailer.length()));
            for (int i = 0; i < smallOnes; i++) {
                small[0] = (byte) i;
                appender.write(small, small.length);
                assertTrue(tailer.poll());
                assertEquals(small.length, tailer.length());
                assertEquals((byte) i, tailer.bytes()[0]);
            }
            assertFalse(tailer.poll());
        }
        assertFalse(segments().contains("tasks-0"), "the reader moved past the first segment: " + segments());
    }

    @Test
    void shouldSplitAndJoinAMessageLargerThanOneDocument() {
        QueueLayout layout = new QueueLayout(directory);
        byte[] big = new byte[3 * layout.sizes().fragmentBytes() + 123];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (MessageAppender appender = new MessageAppender(layout, QueueLayout.RESULTS);
             MessageTailer tailer = new MessageTailer(layout, QueueLayout.RESULTS)) {
            appender.write(big, big.length);
            appender.write(new byte[]{7}, 1);
            assertTrue(tailer.poll());
            assertArrayEquals(big, Arrays.copyOf(tailer.bytes(), tailer.length()));
            assertTrue(tailer.poll());
            assertEquals(1, tailer.length());
            assertEquals(7, tailer.bytes()[0]);
        }
    }

    @Test
    void shouldPopulateThePagesAheadOfItsWriterAndDeliverEveryMessageIntact() {
        assumeTrue(PagePopulation.load(), "madvise is bound only on Linux, x86-64 and AArch64");
        QueueLayout layout = new QueueLayout(directory);
        byte[] message = new byte[1000];
        int count = 3000; // about 3 MB: many populations ahead, each of 256 KiB
        try (MessageAppender appender = new MessageAppender(layout, QueueLayout.RESULTS);
             MessageTailer tailer = new MessageTailer(layout, QueueLayout.RESULTS)) {
            for (int i = 0; i < count; i++) {
                Arrays.fill(message, (byte) i);
                ByteBuffer.wrap(message).putInt(0, i);
                appender.write(message, message.length);
                assertTrue(appender.populatedBytes() > 0, "nothing populated after message " + i);
            }
            long written = (long) count * message.length;
            assertTrue(appender.populatedBytes() >= written,
                    "populated " + appender.populatedBytes() + " bytes, behind the " + written + " written");
            for (int i = 0; i < count; i++) {
                assertTrue(tailer.poll(), "message " + i);
                assertEquals(message.length, tailer.length());
                assertEquals(i, ByteBuffer.wrap(tailer.bytes()).getInt(0));
                assertEquals((byte) i, tailer.bytes()[message.length - 1], "message " + i + "'s last byte");
            }
            assertFalse(tailer.poll());
        }
    }

    private List<String> segments() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tasks-")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
