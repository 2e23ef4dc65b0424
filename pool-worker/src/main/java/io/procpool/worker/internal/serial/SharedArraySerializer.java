package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.transport.Directories;
import io.procpool.worker.internal.transport.QueueSizes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a {@code byte[]} of {@value #THRESHOLD_BYTES} bytes or more to a file of its own beside the queues, and
 * only the file's name into the message, as joblib passes large arrays: the array is copied once into the file and
 * once out of it, instead of four times through the message buffers and the queue, and the queue's segments are
 * not rolled by one large message. The reader deletes the file once it has read it. Smaller arrays, and every array
 * when no directory is given (a one-off encoding), are written inline.
 *
 * <pre>
 *   inline:  0:byte  length:varint  bytes
 *   shared:  1:byte  length:varint  file name:string   (a file in the pool's directory)
 * </pre>
 */
final class SharedArraySerializer extends Serializer<byte[]> {
    /** Arrays from this size cross through a file of their own. */
    static final int THRESHOLD_BYTES = 1 << 20;
    private static final byte INLINE = 0;
    private static final byte SHARED = 1;
    private static final String PREFIX = "array-";
    /**
     * Files are read and written in pieces of this size. Not mapped: on a virtual machine the page faults of a
     * fresh mapping cost more than the copy (64 MiB took 600-780 ms mapped, 75-92 ms written); and not in one
     * piece: a heap buffer goes through a temporary direct buffer of its size, which the JDK would allocate anew.
     */
    private static final int IO_BYTES = 1 << 20;

    private final Path directory;
    private final long marginBytes;
    private long outOfBandBytes;

    /**
     * @param directory where shared arrays are written and read: the pool's directory; {@code null} to write every
     *                  array inline (a reader without one refuses shared arrays)
     * @param marginBytes the room an array's file leaves free on its file system ({@link QueueSizes#marginBytes()})
     */
    SharedArraySerializer(Path directory, long marginBytes) {
        this.directory = directory;
        this.marginBytes = marginBytes;
    }

    @Override
    public void write(Kryo kryo, Output output, byte[] array) {
        if (directory == null || array.length < THRESHOLD_BYTES) {
            output.writeByte(INLINE);
            output.writeVarInt(array.length, true);
            output.writeBytes(array);
            return;
        }
        Directories.checkRoom(directory, array.length, marginBytes, "an array");
        String name = PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current()
                .nextLong() & Long.MAX_VALUE);
        Path file = directory.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int offset = 0; offset < array.length; ) {
                offset += channel.write(ByteBuffer.wrap(array, offset, Math.min(IO_BYTES, array.length - offset)));
            }
        } catch (IOException | RuntimeException e) {
            delete(file);
            throw new KryoException("could not write an array of " + array.length + " bytes to " + file + ": " + e,
                    e);
        }
        outOfBandBytes += array.length;
        output.writeByte(SHARED);
        output.writeVarInt(array.length, true);
        output.writeString(name);
    }

    @Override
    public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
        byte kind = input.readByte();
        int length = input.readVarInt(true);
        if (kind == INLINE) {
            return input.readBytes(length);
        }
        String name = input.readString();
        if (kind != SHARED || directory == null || !name.startsWith(PREFIX) || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0) {
            throw new KryoException("unexpected shared array '" + name + "' (kind " + kind + ")");
        }
        Path file = directory.resolve(name);
        byte[] array = new byte[length];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != length) {
                throw new KryoException("the shared array " + file + " holds " + channel.size() + " bytes, not "
                        + length);
            }
            for (int offset = 0; offset < length; ) {
                int read = channel.read(ByteBuffer.wrap(array, offset, Math.min(IO_BYTES, length - offset)));
                if (read < 0) {
                    throw new KryoException("the shared array " + file + " ended at byte " + offset);
                }
                offset += read;
            }
        } catch (IOException e) {
            throw new KryoException("could not read the shared array " + file + ": " + e, e);
        } finally {
            delete(file);
        }
        outOfBandBytes += length;
        return array;
    }

    @Override
    public byte[] copy(Kryo kryo, byte[] original) {
        return original.clone();
    }

    /** {@return the bytes of the arrays written or read through files since the last call} */
    long takeOutOfBandBytes() {
        long bytes = outOfBandBytes;
        outOfBandBytes = 0;
        return bytes;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The pool's directory goes at close, with whatever is left in it.
        }
    }
}
