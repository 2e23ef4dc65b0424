package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Turns the values that cross the boundary (items, results, exceptions, and the functions inside FUNCTION
 * messages) into bytes and back, apart from the wire framing: the messages of
 * {@link io.procpool.worker.internal.protocol.Protocol} put their types, numbers and lengths into a buffer, and a
 * serializer writes each value, its class included, at the buffer's position.
 * Kryo is the one in use ({@link KryoSerializer}); Java serialisation or Fory plug in here. An instance holds
 * per-thread state and is used by one thread at a time.
 */
public interface ValueSerializer {
    /**
     * Writes {@code value} at {@code out}'s position.
     *
     * @param out   the buffer to write to
     * @param value the value, possibly {@code null}
     * @throws RuntimeException if it cannot be written; then call {@link #reset()} and restore the position
     */
    void write(Output out, Object value);

    /**
     * Reads a value {@link #write} wrote, from {@code in}'s position.
     *
     * @param in the buffer to read from
     * @return the value, possibly {@code null}
     * @throws RuntimeException or {@link LinkageError} if it cannot be read; then call {@link #reset()}
     */
    Object read(Input in);

    /** Forgets what a failed write or read left half done. */
    void reset();

    /**
     * Returns and resets the count of bytes that crossed outside the messages.
     *
     * @return the bytes this serializer wrote or read beside the message (large arrays passed through files) since
     * the last call, so that the pool's byte counts include them
     */
    long takeOutOfBandBytes();
}
