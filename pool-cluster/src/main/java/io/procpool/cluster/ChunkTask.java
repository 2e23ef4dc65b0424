package io.procpool.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.procpool.Serialization;
import io.procpool.worker.internal.protocol.Protocol;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * One chunk on its way to a member, and the task Hazelcast's executor runs there. Hazelcast carries only bytes:
 * the function and the items are serialised by the pool's own {@link Serialization}, as in a process pool, and so is
 * the answer, the outcomes in {@link Protocol}'s RESULT layout. The function travels with every
 * chunk (a member keeps the last few it rebuilt), so that a chunk is whole wherever it is sent again.
 */
final class ChunkTask implements Callable<byte[]>, IdentifiedDataSerializable {
    /** Hazelcast's id of procpool's factory: "proc". */
    static final int FACTORY_ID = 0x70726f63;
    private static final int CLASS_ID = 1;

    private String version;
    private Serialization serialization;
    private long firstIndex;
    private int count;
    private byte[] function;
    private byte[] items;

    /** For Hazelcast, which reads the fields after. */
    ChunkTask() {
    }

    ChunkTask(Serialization serialization, long firstIndex, int count, byte[] function, byte[] items) {
        this.version = HazelcastSetup.VERSION;
        this.serialization = serialization;
        this.firstIndex = firstIndex;
        this.count = count;
        this.function = function;
        this.items = items;
    }

    @Override
    public byte[] call() {
        return MemberRuntime.get().run(this);
    }

    String version() {
        return version;
    }

    Serialization serialization() {
        return serialization;
    }

    long firstIndex() {
        return firstIndex;
    }

    int count() {
        return count;
    }

    byte[] function() {
        return function;
    }

    byte[] items() {
        return items;
    }

    /** {@return the bytes this chunk puts on the network, for the pool's statistics} */
    int size() {
        return function.length + items.length + 32;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(version);
        out.writeByte(serialization.ordinal());
        out.writeLong(firstIndex);
        out.writeInt(count);
        out.writeByteArray(function);
        out.writeByteArray(items);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        version = in.readString();
        serialization = Serialization.values()[in.readByte()];
        firstIndex = in.readLong();
        count = in.readInt();
        function = in.readByteArray();
        items = in.readByteArray();
    }

    /** Makes chunks for Hazelcast to read into; both members and the pool's client register it. */
    static final class Factory implements DataSerializableFactory {
        @Override
        public IdentifiedDataSerializable create(int typeId) {
            return typeId == CLASS_ID ? new ChunkTask() : null;
        }
    }
}
