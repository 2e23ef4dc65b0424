package io.procpool.launcher;

import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StatusDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
             ChronicleChannel channel = channel(layout, parent, wakeUps)) {
            byte[] message = {1, 2, 3};

            channel.wakeAhead();
            channel.send(message, message.length);
            assertEquals(0, wakeUps.get(), "an awake worker is not woken");

            worker.asleep(false);
            channel.wakeAhead();
            assertEquals(1, wakeUps.get(), "a sleeping worker is woken before its message is encoded");
            channel.send(message, message.length);
            channel.send(message, message.length);
            assertEquals(1, wakeUps.get(), "one wake-up for one sleep, however many messages follow");

            worker.awake();
            worker.asleep(false);
            channel.send(message, message.length);
            assertEquals(2, wakeUps.get(), "the next sleep is woken by the send alone");
        }
    }

    @Test
    void shouldWakeAWorkerOnItsFutexOnceThisSideOpenedItsQueues() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && java.util.Set.of("amd64", "aarch64").contains(System.getProperty("os.arch")));
        QueueLayout layout = new QueueLayout(directory);
        AtomicInteger wakeUps = new AtomicInteger();
        try (StatusDescriptor parent = StatusDescriptor.create(layout.statusFile());
             StatusDescriptor worker = StatusDescriptor.open(layout.statusFile());
             ChronicleChannel channel = channel(layout, parent, wakeUps)) {
            assertFalse(worker.mayWaitOnFutex(), "not while this side's queues are closed");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!channel.switchTasksOnceOpen()) { // the pool's idle supervision, as often as it comes
                assertTrue(System.nanoTime() < deadline, "this side's queues did not open");
                Thread.onSpinWait();
            }
            assertTrue(worker.mayWaitOnFutex(), "this side bound the futex as its queues opened");

            worker.asleep(true);
            byte[] message = {1, 2, 3};
            channel.send(message, message.length);
            assertEquals(0, wakeUps.get(), "no byte on stdin for a worker asleep on its futex");
            assertTrue(worker.awaitWake(1_000_000L), "the send cleared the wake word");
            assertEquals(1, parent.futexWakeUps());
            worker.awake();
            worker.asleep(false);
            channel.send(message, message.length);
            assertEquals(1, wakeUps.get(), "a sleep on stdin still gets its byte");
        }
    }

    /** The pool's side of a channel whose wake-ups by stdin are counted in {@code wakeUps}; it must not kill. */
    private static ChronicleChannel channel(QueueLayout layout, StatusDescriptor parent, AtomicInteger wakeUps)
            throws IOException {
        return new ChronicleChannel(layout, "queues", parent, wakeUps::incrementAndGet,
                reason -> fail("killed: " + reason), () -> { });
    }
}
