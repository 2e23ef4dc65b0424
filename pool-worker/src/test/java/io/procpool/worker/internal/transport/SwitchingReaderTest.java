package io.procpool.worker.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwitchingReaderTest {
    @TempDir
    Path directory;

    private static String text(SwitchingReader reader) {
        return new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8);
    }

    private static void offer(StartRing ring, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertTrue(ring.offer(bytes, bytes.length));
    }

    @Test
    void shouldReadTheRingUpToItsMarkerThenTheQueueOnceItIsOpen() throws IOException {
        QueueLayout layout = new QueueLayout(directory);
        AtomicInteger switches = new AtomicInteger();
        AtomicReference<MessageTailer> open = new AtomicReference<>(); // null: the queue is still opening
        try (StartRing ring = StartRing.create(layout.ringFile(QueueLayout.TASKS), 4096);
             MessageAppender appender = new MessageAppender(layout, QueueLayout.TASKS);
             MessageTailer tailer = new MessageTailer(layout, QueueLayout.TASKS)) {
            SwitchingReader reader = new SwitchingReader(ring, switches::incrementAndGet, open::get);
            offer(ring, "first");
            offer(ring, "second");
            ring.offerSwitch();
            offer(ring, "never read: after the marker");
            byte[] queued = "on the queue".getBytes(StandardCharsets.UTF_8);
            appender.write(queued, queued.length);

            assertTrue(reader.poll());
            assertEquals("first", text(reader));
            assertTrue(reader.poll());
            assertEquals("second", text(reader));
            assertFalse(reader.poll(), "past the marker, with the queue not yet open");
            assertTrue(reader.switched());
            assertEquals(1, switches.get());
            open.set(tailer);
            assertTrue(reader.poll());
            assertEquals("on the queue", text(reader));
            assertFalse(reader.poll());
            assertEquals(2, reader.ringMessages());
            assertEquals(1, switches.get(), "told of the switch once");
        }
    }
}
