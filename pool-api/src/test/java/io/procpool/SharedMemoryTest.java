package io.procpool;

import io.procpool.internal.SharedBlocks;
import io.procpool.internal.SharedMemoryRefusal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block's logic within one JVM: names, sizes, views, the states after close and unlink, the serial form. */
class SharedMemoryTest {
    @Test
    void sizesOutsideWhatAByteBufferAddressesAreRefusedNamingTheLimit() {
        for (long size : new long[] {0, -1, Integer.MAX_VALUE + 1L}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(size));
            assertTrue(e.getMessage().contains("2147483647") && e.getMessage().contains("2 GiB - 1"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.of(new byte[0]));
    }

    @Test
    void aBlockIsAnOwnerOnlyFileNamedForItsCreator() throws IOException {
        SharedMemory block = SharedMemory.create(100);
        try {
            assertTrue(block.name().matches("procpool-shm-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}"),
                    block.name());
            assertEquals(100, block.size());
            Path file = SharedBlocks.find(block.name());
            assertEquals(100, Files.size(file));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(0, block.buffer().get(99), "zero-filled");
        } finally {
            block.unlink();
        }
    }

    @Test
    void viewsReadTheSameMemoryInNativeOrderEachFromPositionZero() {
        double[] values = {1.5, -2.25, 3e300, Double.NaN};
        SharedMemory block = SharedMemory.of(values);
        try {
            assertEquals(32, block.size());
            double[] back = new double[4];
            block.doubles().get(back);
            assertArrayEquals(values, back);
            ByteBuffer first = block.buffer();
            assertEquals(ByteOrder.nativeOrder(), first.order());
            first.position(16);
            assertEquals(0, block.buffer().position(), "each call is a fresh view");
            assertEquals(Double.doubleToRawLongBits(-2.25), block.longs().get(1));
            block.ints().put(0, 7);
            assertEquals(7, block.buffer().getInt(0));
            assertArrayEquals(new int[] {4, 5}, readInts(SharedMemory.of(new int[] {4, 5})));
            assertEquals(9L, unlinkAfter(SharedMemory.of(new long[] {9L}), b -> b.longs().get(0)));
            assertEquals(3, unlinkAfter(SharedMemory.of(new byte[] {3}), b -> (long) b.buffer().get(0)));
        } finally {
            block.unlink();
        }
    }

    private static int[] readInts(SharedMemory block) {
        try {
            int[] back = new int[block.ints().remaining()];
            block.ints().get(back);
            return back;
        } finally {
            block.unlink();
        }
    }

    private static long unlinkAfter(SharedMemory block, java.util.function.ToLongFunction<SharedMemory> read) {
        try {
            return read.applyAsLong(block);
        } finally {
            block.unlink();
        }
    }

    @Test
    void attachMapsTheSameMemoryByName() {
        SharedMemory block = SharedMemory.create(64);
        try (SharedMemory other = SharedMemory.attach(block.name())) {
            assertNotSame(block, other);
            assertEquals(block, other);
            other.longs().put(3, 42L);
            assertEquals(42L, block.longs().get(3));
            assertEquals(64, other.size());
        } finally {
            block.unlink();
        }
    }

    @Test
    void attachRefusesWhatIsNotABlockNameAndNamesAMissingBlock() {
        for (String bad : new String[] {"../x", "procpool-shm-1-../../etc/passwd", "/dev/shm/procpool-shm-1-0123456789abcdef",
                "", "procpool-shm-1-0123"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.attach(bad));
            assertTrue(e.getMessage().contains("not the name of a procpool shared memory block"), e.getMessage());
        }
        String missing = "procpool-shm-1-0123456789abcdef";
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SharedMemory.attach(missing));
        assertInstanceOf(NoSuchFileException.class, e.getCause());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void aClosedHandleRefusesUseButTheBlockLivesOnUntilUnlinked() {
        SharedMemory block = SharedMemory.create(8);
        SharedMemory other = SharedMemory.attach(block.name());
        block.close();
        block.close(); // again: nothing
        IllegalStateException e = assertThrows(IllegalStateException.class, block::buffer);
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains(block.name()), e.getMessage());
        assertThrows(IllegalStateException.class, block::doubles);
        assertThrows(IllegalStateException.class, () -> serialise(block));
        other.buffer().put(0, (byte) 5); // the block lives on
        block.unlink(); // Python's idiom: close, then unlink
        assertThrows(UncheckedIOException.class, () -> SharedMemory.attach(block.name()));
        other.close();
    }

    @Test
    void anUnlinkedHandleRefusesUseAndASecondUnlink() {
        SharedMemory block = SharedMemory.create(8);
        block.unlink();
        assertTrue(SharedBlocks.createdBy(ProcessHandle.current().pid()).stream()
                .noneMatch(p -> p.getFileName().toString().equals(block.name())), "the file is gone");
        IllegalStateException e = assertThrows(IllegalStateException.class, block::ints);
        assertTrue(e.getMessage().contains("unlinked"), e.getMessage());
        IllegalStateException again = assertThrows(IllegalStateException.class, block::unlink);
        assertTrue(again.getMessage().contains("unlinked already"), again.getMessage());
        block.close(); // after unlink: nothing, as try-with-resources does
    }

    @Test
    void itCrossesAsItsNameAndMapsTheSameMemory() throws Exception {
        SharedMemory block = SharedMemory.of(new double[] {1, 2, 3});
        try {
            byte[] bytes = serialise(block);
            assertTrue(bytes.length < 400, "a name, not the block: " + bytes.length + " bytes");
            SharedMemory back = (SharedMemory) new ObjectInputStream(new ByteArrayInputStream(bytes)).readObject();
            assertEquals(block, back);
            back.doubles().put(1, 20);
            assertEquals(20, block.doubles().get(1));
        } finally {
            block.unlink();
        }
    }

    @Test
    void whereSharedMemoryIsRefusedItFailsSayingWhere() {
        SharedMemory block = SharedMemory.create(8);
        try {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> SharedMemoryRefusal.refusing("a cluster member", () -> serialise(block)));
            assertTrue(e.getMessage().contains("cannot cross to a cluster member"), e.getMessage());
            assertEquals(null, SharedMemoryRefusal.destination(), "refused only inside");
        } finally {
            block.unlink();
        }
    }

    @Test
    void aBlockWhoseCreatorIsGoneIsRemovedAndALiveOnesIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        SharedMemory live = SharedMemory.create(8);
        Path stale = SharedBlocks.find(live.name()).resolveSibling("procpool-shm-" + gone.pid() + "-0123456789abcdef");
        try {
            Files.write(stale, new byte[8]);
            SharedBlocks.removeStale();
            assertFalse(Files.exists(stale), "the dead creator's block is removed");
            assertEquals(8, SharedMemory.attach(live.name()).size(), "this process's block is kept");
        } finally {
            Files.deleteIfExists(stale);
            live.unlink();
        }
    }

    private static byte[] serialise(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
