package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large byte arrays through a file of their own, small ones inline, through the serializer both sides use. */
class SharedArraySerializerTest {
    @TempDir
    Path pool;

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private List<Path> arrayFiles() throws IOException {
        try (Stream<Path> files = Files.list(pool)) {
            return files.filter(f -> f.getFileName().toString().startsWith("array-")).toList();
        }
    }

    private Object roundTrip(ValueSerializer writer, ValueSerializer reader, Object value) {
        Output out = new Output(256, -1);
        writer.write(out, value);
        return reader.read(new Input(out.getBuffer(), 0, out.position()));
    }

    @Test
    void shouldPassALargeArrayThroughAFileThatTheReaderDeletes() throws IOException {
        ValueSerializer writer = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        ValueSerializer reader = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        byte[] large = random(SharedArraySerializer.THRESHOLD_BYTES + 7);
        Output out = new Output(256, -1);
        writer.write(out, large);
        assertTrue(out.position() < 200, "the message holds a name, not the bytes: " + out.position());
        assertEquals(1, arrayFiles().size());
        byte[] back = (byte[]) reader.read(new Input(out.getBuffer(), 0, out.position()));
        assertArrayEquals(large, back);
        assertEquals(List.of(), arrayFiles(), "read once, then deleted");
    }

    @Test
    void shouldKeepSmallArraysInlineAndSharedOnesIdenticalWithinAValue() throws IOException {
        ValueSerializer serializer = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        byte[] small = random(1000);
        assertArrayEquals(small, (byte[]) roundTrip(serializer, serializer, small));
        assertEquals(List.of(), arrayFiles());
        byte[] large = random(SharedArraySerializer.THRESHOLD_BYTES);
        @SuppressWarnings("unchecked")
        List<byte[]> back = (List<byte[]>) roundTrip(serializer, serializer,
                new java.util.ArrayList<>(List.of(large, large)));
        assertArrayEquals(large, back.get(0));
        assertSame(back.get(0), back.get(1), "one array twice in a value stays one array");
        assertEquals(List.of(), arrayFiles());
    }

    @Test
    void shouldWriteInlineWithoutADirectoryInAFormatEveryReaderReads() {
        ValueSerializer oneOff = KryoSerializer.create(ClassFilter.ALLOW_ALL, null);
        ValueSerializer reader = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        byte[] large = random(SharedArraySerializer.THRESHOLD_BYTES * 2);
        assertArrayEquals(large, (byte[]) roundTrip(oneOff, reader, large));
    }

    @Test
    void shouldRefuseASharedArrayWhenItHasNoDirectoryOrTheNameLeavesIt() {
        ValueSerializer writer = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        ValueSerializer noDirectory = KryoSerializer.create(ClassFilter.ALLOW_ALL, null);
        byte[] large = random(SharedArraySerializer.THRESHOLD_BYTES);
        assertThrows(RuntimeException.class, () -> roundTrip(writer, noDirectory, large));
        Output forged = new Output(64, -1);
        forged.writeVarInt(12, true); // byte[]'s registration id + 2, as Kryo writes a registered class
        forged.writeByte(1);
        forged.writeVarInt(10, true);
        forged.writeString("array-../../etc/passwd");
        ValueSerializer reader = KryoSerializer.create(ClassFilter.ALLOW_ALL, pool);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> reader.read(new Input(forged.getBuffer(), 0, forged.position())));
        assertTrue(String.valueOf(e.getMessage()).contains("unexpected shared array"), e.getMessage());
    }
}
