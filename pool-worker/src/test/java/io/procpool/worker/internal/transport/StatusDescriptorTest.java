package io.procpool.worker.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status file as both sides map it: one side's writes are the other's reads. */
class StatusDescriptorTest {
    @TempDir
    Path directory;

    @Test
    void shouldShowEachSideWhatTheOtherWrote() throws IOException {
        Path file = directory.resolve("status");
        try (StatusDescriptor parent = StatusDescriptor.create(file);
             StatusDescriptor worker = StatusDescriptor.open(file)) {
            assertEquals(0, parent.currentSleep());
            worker.asleep(false);
            assertEquals(1, parent.currentSleep());
            worker.awake();
            assertEquals(0, parent.currentSleep());
            worker.asleep(false);
            assertEquals(2, parent.currentSleep(), "each sleep has a number of its own");
            worker.awake();
            worker.itemStarted(7, 42, 123_456);
            assertEquals(7, parent.currentChunk());
            assertEquals(42, parent.currentItem());
            assertEquals(123_456, parent.itemStartedNanos());
            worker.idle();
            assertEquals(0, parent.itemStartedNanos());
            worker.chunkReceived(8);
            assertEquals(8, parent.currentChunk());
            worker.workerHeartbeat(99);
            assertEquals(99, parent.workerHeartbeatNanos());
            parent.parentHeartbeat(77);
            assertEquals(77, worker.parentHeartbeatNanos());
        }
    }

    @Test
    void shouldWakeAWorkerSleepingOnItsWakeWordFromAnotherMapping() throws Exception {
        assumeFutexPlatform();
        assertTrue(StatusDescriptor.bindFutex(), "Linux on " + System.getProperty("os.arch") + " binds the futex");
        Path file = directory.resolve("status");
        try (StatusDescriptor parent = StatusDescriptor.create(file);
             StatusDescriptor worker = StatusDescriptor.open(file)) {
            assertFalse(worker.mayWaitOnFutex(), "not before the parent says it can wake it so");
            assertTrue(parent.offerFutexWakes());
            assertTrue(worker.mayWaitOnFutex());
            assertFalse(parent.wakeFromFutex(), "an awake worker has nothing to be woken from");

            worker.asleep(true);
            assertTrue(parent.sleepsOnFutex());
            java.util.concurrent.ExecutorService sleeper = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<Boolean> woken = sleeper.submit(
                        () -> worker.awaitWake(java.util.concurrent.TimeUnit.SECONDS.toNanos(60)));
                assertTrue(parent.wakeFromFutex());
                assertTrue(woken.get(60, java.util.concurrent.TimeUnit.SECONDS), "woken, not timed out");
            } finally {
                sleeper.shutdownNow();
            }
            assertEquals(1, parent.futexWakeUps());
            worker.awake();
            assertFalse(parent.sleepsOnFutex());
            assertEquals(0, parent.currentSleep());
        }
    }

    @Test
    void shouldEndASleepOnTheWakeWordThatNobodyWakesAtItsTimeout() throws IOException {
        assumeFutexPlatform();
        assertTrue(StatusDescriptor.bindFutex());
        Path file = directory.resolve("status");
        try (StatusDescriptor parent = StatusDescriptor.create(file);
             StatusDescriptor worker = StatusDescriptor.open(file)) {
            parent.offerFutexWakes();
            worker.asleep(true);
            long start = System.nanoTime();
            assertFalse(worker.awaitWake(20_000_000L), "nobody cleared the word");
            assertTrue(System.nanoTime() - start >= 15_000_000L, "it slept in the kernel, not returned at once");
            assertEquals(0, parent.futexWakeUps());
            assertTrue(parent.sleepsOnFutex(), "still the same sleep: the worker looks at its queue and goes on");
        }
    }

    @Test
    void shouldLeaveASleepOnStdinToTheByte() throws IOException {
        Path file = directory.resolve("status");
        try (StatusDescriptor parent = StatusDescriptor.create(file);
             StatusDescriptor worker = StatusDescriptor.open(file)) {
            worker.asleep(false);
            assertEquals(1, parent.currentSleep());
            assertFalse(parent.sleepsOnFutex());
            assertFalse(parent.wakeFromFutex(), "the caller writes the worker a byte");
        }
    }

    private static void assumeFutexPlatform() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty("os.name").startsWith("Linux")
                        && java.util.Set.of("amd64", "aarch64").contains(System.getProperty("os.arch")),
                "futex wake-ups are bound on Linux on x86-64 and AArch64 only");
    }

    @Test
    void shouldRefuseAFileOfAnotherVersionNamingBoth() throws IOException {
        Path file = directory.resolve("status");
        StatusDescriptor.create(file).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer version = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder())
                    .putInt(StatusDescriptor.VERSION + 1).flip();
            channel.write(version, 4);
        }
        IOException e = assertThrows(IOException.class, () -> StatusDescriptor.open(file));
        assertTrue(e.getMessage().contains("has version " + (StatusDescriptor.VERSION + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("reads version " + StatusDescriptor.VERSION), e.getMessage());
    }

    @Test
    void shouldRefuseAFileThePoolNeverStamped() throws IOException {
        Path file = directory.resolve("status");
        java.nio.file.Files.write(file, new byte[256]);
        assertThrows(IOException.class, () -> StatusDescriptor.open(file));
    }
}
