package io.procpool.cluster;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.Serialization;
import io.procpool.internal.SharedMemoryRefusal;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

/**
 * Keeps what belongs to one machine on it: a {@link io.procpool.SharedMemory} in a function, an item or a result
 * fails with a {@link io.procpool.SerializationException} saying that it cannot cross to or from a cluster member,
 * since the member may be on another machine, where its name maps nothing (or another block), and writes to a copy
 * would be lost without a word. Every value a cluster pool or member writes goes through here.
 */
final class MachineLocal {
    static final String DESTINATION = "or from a cluster member";

    private MachineLocal() {
    }

    /**
     * {@return {@code values}, refusing shared memory in what it writes}
     *
     * @param values the serializer of a pool's or member's thread
     */
    static ValueSerializer refusing(ValueSerializer values) {
        return new ValueSerializer() {
            @Override
            public void write(Output out, Object value) {
                SharedMemoryRefusal.refusing(DESTINATION, () -> {
                    values.write(out, value);
                    return null;
                });
            }

            @Override
            public Object read(Input in) {
                return values.read(in);
            }

            @Override
            public void reset() {
                values.reset();
            }

            @Override
            public long takeOutOfBandBytes() {
                return values.takeOutOfBandBytes();
            }
        };
    }

    /**
     * Serialises one value as {@link ValueSerializers#toBytes} does, refusing shared memory.
     *
     * @param serialization how the value crosses
     * @param value         the value
     * @param what          names the value in an error, e.g. "the function"
     * @return the bytes
     */
    static byte[] toBytes(Serialization serialization, Object value, String what) {
        return SharedMemoryRefusal.refusing(DESTINATION, () -> ValueSerializers.toBytes(serialization, value, what));
    }
}
