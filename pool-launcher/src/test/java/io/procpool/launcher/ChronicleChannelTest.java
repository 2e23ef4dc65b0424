package io.procpool.launcher;

import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StatusDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The pool's side of a worker's channel, with the worker's side played by the test: no JVM is started. */
class ChronicleChannelTest {
    @TempDir
    Path directory;

    @Test
    void shouldWakeASleepingWorkerOncePerSleep() throws IOException {
        QueueLayout layout = new QueueLayout(directory);
        AtomicInteger wakeUps = new AtomicInteger();
        try (StatusDescriptor parent = StatusDescriptor.create(layout.statusFile());
             StatusDescriptor worker = StatusDescriptor.open(layout.statusFile());
             ChronicleChannel channel = new ChronicleChannel(layout, "queues", parent, wakeUps::incrementAndGet,
                     reason -> fail("killed: " + reason), () -> { })) {
            byte[] message = {1, 2, 3};

            channel.wakeAhead();
            channel.send(message, message.length);
            assertEquals(0, wakeUps.get(), "an awake worker is not woken");

            worker.asleep();
            channel.wakeAhead();
            assertEquals(1, wakeUps.get(), "a sleeping worker is woken before its message is encoded");
            channel.send(message, message.length);
            channel.send(message, message.length);
            assertEquals(1, wakeUps.get(), "one wake-up for one sleep, however many messages follow");

            worker.awake();
            worker.asleep();
            channel.send(message, message.length);
            assertEquals(2, wakeUps.get(), "the next sleep is woken by the send alone");
        }
    }
}
