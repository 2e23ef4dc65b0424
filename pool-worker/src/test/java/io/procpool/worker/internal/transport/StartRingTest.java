package io.procpool.worker.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartRingTest {
    private static final int CAPACITY = 4096;

    @TempDir
    Path directory;

    /** A message of {@code length} bytes that says which it is: its number in its first bytes, then a pattern. */
    private static byte[] message(int number, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (number * 31 + i);
        }
        if (length >= 4) {
            ByteBuffer.wrap(bytes).putInt(0, number);
        }
        return bytes;
    }

    private static void assertMessage(int number, int length, StartRing reader) {
        assertEquals(length, reader.length(), "length of message " + number);
        byte[] expected = message(number, length);
        for (int i = 0; i < length; i++) {
            assertEquals(expected[i], reader.bytes()[i], "byte " + i + " of message " + number);
        }
    }

    @Test
    void shouldCarryMessagesInOrderAcrossTheEndOfTheRingAndThenTheSwitch() throws IOException {
        Path file = directory.resolve("ring");
        Random random = new Random(7);
        try (StartRing writer = StartRing.create(file, CAPACITY); StartRing reader = StartRing.open(file)) {
            int[] lengths = new int[500];
            int sent = 0;
            int received = 0;
            // Sizes up to a third of the ring, so records often meet the end and pad; reading lags writing.
            while (received < lengths.length) {
                while (sent < lengths.length) {
                    int length = random.nextInt(CAPACITY / 3);
                    if (!writer.offer(message(sent, length), length)) {
                        break;
                    }
                    lengths[sent++] = length;
                }
                assertEquals(StartRing.Poll.MESSAGE, reader.poll(), "message " + received);
                assertMessage(received, lengths[received], reader);
                received++;
            }
            assertEquals(StartRing.Poll.EMPTY, reader.poll());
            writer.offerSwitch();
            assertEquals(StartRing.Poll.SWITCHED, reader.poll());
            assertEquals(StartRing.Poll.EMPTY, reader.poll());
        }
    }

    @Test
    void shouldRefuseWhatDoesNotFitAndStillHaveRoomForTheSwitch() throws IOException {
        Path file = directory.resolve("ring");
        try (StartRing writer = StartRing.create(file, CAPACITY); StartRing reader = StartRing.open(file)) {
            assertFalse(writer.offer(new byte[CAPACITY], CAPACITY), "larger than the ring");
            int count = 0;
            while (writer.offer(message(count, 100), 100)) {
                count++;
            }
            assertTrue(count > 0 && count < CAPACITY / 100, "filled with " + count + " messages");
            writer.offerSwitch(); // the room it needs was kept
            for (int i = 0; i < count; i++) {
                assertEquals(StartRing.Poll.MESSAGE, reader.poll());
                assertMessage(i, 100, reader);
            }
            assertEquals(StartRing.Poll.SWITCHED, reader.poll());
        }
    }

    @Test
    void shouldCarryMessagesBetweenTwoThreads() throws Exception {
        Path file = directory.resolve("ring");
        int messages = 50_000;
        try (StartRing writer = StartRing.create(file, CAPACITY); StartRing reader = StartRing.open(file)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < messages; i++) {
                    int length = 4 + i % 301;
                    while (!writer.offer(message(i, length), length)) {
                        Thread.onSpinWait();
                    }
                }
                writer.offerSwitch();
            });
            for (int i = 0; i < messages; i++) {
                StartRing.Poll poll;
                while ((poll = reader.poll()) == StartRing.Poll.EMPTY) {
                    Thread.onSpinWait();
                }
                assertEquals(StartRing.Poll.MESSAGE, poll, "message " + i);
                assertMessage(i, 4 + i % 301, reader);
            }
            writing.get(30, TimeUnit.SECONDS);
            assertEquals(StartRing.Poll.SWITCHED, reader.poll());
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotARing() throws IOException {
        Path file = directory.resolve("not-a-ring");
        Files.write(file, new byte[8192]);
        IOException e = assertThrows(IOException.class, () -> StartRing.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a start-up ring"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StartRing.create(directory.resolve("odd"), 5000));
    }

    @Test
    void shouldRefuseARingOfAnotherVersionNamingBoth() throws IOException {
        Path file = directory.resolve("ring");
        StartRing.create(file, CAPACITY).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            // Version 1: a parent whose messages carry no protocol version.
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(StartRing.VERSION - 1).flip(),
                    4);
        }
        IOException e = assertThrows(IOException.class, () -> StartRing.open(file));
        assertTrue(e.getMessage().contains("not a start-up ring of version " + StartRing.VERSION), e.getMessage());
        assertTrue(e.getMessage().contains("version " + (StartRing.VERSION - 1) + ","), e.getMessage());
    }
}
