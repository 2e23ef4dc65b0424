package io.procpool.worker.internal.serial;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.RemoteException;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * How an exception crosses the boundary: the exception itself, Java-serialised, so that the other side rebuilds it
 * with its own class, stack trace and causes; and beside it a {@link RemoteException} mirror of names and strings
 * that always crosses, used where the original cannot be written (a field that is not serialisable) or read (a
 * class the other side does not have).
 */
public final class Failures {
    private Failures() {
    }

    /**
     * Writes {@code failure} as {@code original:varint+bytes mirror:object}. Where the exception itself
     * cannot be written, the original is written as no bytes and only the mirror crosses.
     *
     * @param values  the serializer that writes the exception and its mirror
     * @param out     where to write
     * @param failure the exception to write
     */
    public static void write(ValueSerializer values, Output out, Throwable failure) {
        byte[] original;
        try (Output scratch = new RawBitsOutput(1024, -1)) {
            values.write(scratch, failure);
            original = scratch.toBytes();
        } catch (RuntimeException | StackOverflowError e) {
            values.reset();
            original = new byte[0];
        }
        out.writeVarInt(original.length, true);
        out.writeBytes(original);
        values.write(out, mirror(failure, Collections.newSetFromMap(new IdentityHashMap<>())));
    }

    /**
     * Reads what {@link #write} wrote: the original exception where this JVM can rebuild it, else the mirror.
     *
     * @param values the serializer that reads the exception and its mirror
     * @param in     where to read
     * @return the exception, rebuilt with its own class, or its {@link RemoteException} mirror
     */
    public static Throwable read(ValueSerializer values, Input in) {
        int length = in.readVarInt(true);
        byte[] original = in.readBytes(length);
        Throwable mirror = (Throwable) values.read(in);
        if (length > 0) {
            // The same serializer, so that the pool's class allow-list applies to exceptions too.
            try {
                Object rebuilt = values.read(new Input(original));
                if (rebuilt instanceof Throwable) {
                    return (Throwable) rebuilt;
                }
            } catch (RuntimeException | LinkageError e) {
                values.reset();
                mirror.addSuppressed(KryoCodec.failure("could not rebuild the original exception", null, e));
            }
        }
        return mirror;
    }

    /**
     * Makes a stand-in for an exception, its causes and its suppressed exceptions that can always cross the
     * boundary.
     *
     * @param failure the exception to mirror
     * @param seen    the exceptions already mirrored in this chain, so that a cycle of causes ends; updated
     * @return a {@link RemoteException} chain with the class names, messages and stack traces of
     * {@code failure}'s chain
     */
    public static RemoteException mirror(Throwable failure, Set<Throwable> seen) {
        seen.add(failure);
        Throwable cause = failure.getCause();
        RemoteException mirroredCause = cause == null || seen.contains(cause) ? null : mirror(cause, seen);
        RemoteException mirror = failure instanceof RemoteException
                ? new RemoteException(((RemoteException) failure).remoteClassName(),
                ((RemoteException) failure).remoteMessage(), failure.getStackTrace(), mirroredCause)
                : new RemoteException(failure.getClass().getName(), safeMessage(failure), failure.getStackTrace(),
                mirroredCause);
        for (Throwable suppressed : failure.getSuppressed()) {
            if (!seen.contains(suppressed)) {
                mirror.addSuppressed(mirror(suppressed, seen));
            }
        }
        return mirror;
    }

    /**
     * Says in one line why {@code failure} happened.
     *
     * @param failure the exception
     * @return the class and the first line of the message of the innermost cause of {@code failure}: what an
     * error message quotes to say why
     */
    public static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null && message.indexOf('\n') >= 0) {
            message = message.substring(0, message.indexOf('\n'));
        }
        return root.getClass().getName() + (message == null ? "" : ": " + message);
    }

    private static String safeMessage(Throwable failure) {
        try {
            return failure.getMessage();
        } catch (RuntimeException e) {
            return "(getMessage() threw " + e + ")";
        }
    }
}
