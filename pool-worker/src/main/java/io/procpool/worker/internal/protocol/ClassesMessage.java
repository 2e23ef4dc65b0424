package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of a {@link Protocol#CLASSES} message: {@code count:varint (name:string length:varint bytes) x count},
 * the in-memory classes a function that follows needs and its worker lacks.
 */
public final class ClassesMessage {
    private ClassesMessage() {
    }

    /**
     * Writes a whole CLASSES message, header included.
     *
     * @param out     where to write, at the start of the message
     * @param classes the classes
     */
    public static void write(Output out, List<ShippedClass> classes) {
        Protocol.writeHeader(out, Protocol.CLASSES);
        out.writeVarInt(classes.size(), true);
        for (ShippedClass shipped : classes) {
            out.writeString(shipped.name());
            out.writeVarInt(shipped.bytes().length, true);
            out.writeBytes(shipped.bytes());
        }
    }

    /**
     * Reads a CLASSES message's body.
     *
     * @param in past the message's header
     * @return the classes, in the order sent
     */
    public static List<ShippedClass> read(Input in) {
        int count = in.readVarInt(true);
        List<ShippedClass> classes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = in.readString();
            classes.add(ShippedClass.of(name, in.readBytes(in.readVarInt(true))));
        }
        return classes;
    }
}
