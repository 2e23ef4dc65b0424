package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolTest {
    @Test
    void shouldStartEveryMessageWithTheProtocolsVersionThenItsType() {
        Output out = new Output(16, -1);
        Protocol.writeHeader(out, Protocol.CHUNK).writeVarLong(42, true);
        assertArrayEquals(new byte[]{Protocol.VERSION, Protocol.CHUNK}, java.util.Arrays.copyOf(out.toBytes(), 2),
                "a byte of version: the header costs one byte more than the type alone");
        assertEquals(Protocol.CHUNK, Protocol.typeOf(out.toBytes()));
        Input in = new Input(out.toBytes());
        assertEquals(Protocol.CHUNK, Protocol.readHeader(in));
        assertEquals(42, in.readVarLong(true), "the fields follow the header");
    }

    @Test
    void shouldRefuseAMessageOfAnotherVersionNamingBoth() {
        byte other = (byte) (Protocol.VERSION + 1);
        Input in = new Input(new byte[]{other, Protocol.READY});
        Protocol.VersionMismatchException e = assertThrows(Protocol.VersionMismatchException.class,
                () -> Protocol.readHeader(in));
        assertTrue(e.getMessage().contains("protocol version " + other), e.getMessage());
        assertTrue(e.getMessage().contains("speaks version " + Protocol.VERSION), e.getMessage());
    }
}
