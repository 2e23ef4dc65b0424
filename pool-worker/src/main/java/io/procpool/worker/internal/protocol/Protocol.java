package io.procpool.worker.internal.protocol;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.transport.StatusDescriptor;

/**
 * The message types of the wire protocol. Every message is one Kryo stream that starts with a header of two bytes,
 * the protocol's {@link #VERSION} and the message's type ({@link #writeHeader}, {@link #readHeader}); the fields
 * that follow are listed here, in order ({@code varlong}/{@code varint}: Kryo's variable-length numbers;
 * {@code object}: a value as the pool's {@link ValueSerializer} writes it).
 *
 * <pre>
 * header = version:byte  type:byte
 *
 * parent -> worker, on the tasks queue
 *   INIT      maxTasksPerChild:varint  maxMemoryPerChild:varlong  tracksItems:boolean  hasInitializer:boolean  [initializer:varint+bytes]
 *   CLASSES   count:varint  (name:string  class file:varint+bytes) x count
 *             (classes that exist only in the parent's memory, see below: ahead of the first chunk that needs
 *              them, or of INIT for the initializer's)
 *   FUNCTION  functionId:varlong  function bytes:varint+bytes   (once per function per worker)
 *   CHUNK     chunkSeq:varlong  callId:varlong  functionId:varlong  firstIndex:varlong  count:varint
 *             (NONE item:object x count | compact items, see CompactValues)
 *   SHUTDOWN                                                    (finish what was sent, then exit 0)
 *
 * worker -> parent, on the results queue
 *   READY        pid:varlong  stamps:varint  stamp:varlong x stamps
 *                (wall-clock microseconds, see Protocol.epochMicros, of the worker's start-up phases in the order
 *                 of the STAMP_ constants; a parent reads the ones it knows and skips the rest)
 *   INIT_FAILED  failure
 *   RESULT       chunkSeq:varlong  count:varint
 *                (compact values, see CompactValues: every item OK, one common class
 *                 | NONE, then per item: (OK value:object | TASK_FAILED failure | NOT_SERIALIZABLE message:string
 *                                        | NOT_DELIVERED message:string | POOL_FAILED failure) x count)
 *                deserialiseNanos:varlong  executeNanos:varlong  serialiseNanos:varlong
 *   RETIRING     tasksDone:varlong     (maxTasksPerChild reached, or maxMemoryPerChild passed; exits 0 next)
 *   BYE                                                         (answer to SHUTDOWN; exits 0 next)
 *
 * A chunk whose call the status descriptor names as cancelled is skipped: its RESULT says NOT_DELIVERED for each
 * item and gives all three timings as 0, which is how the parent tells a skipped chunk from one that ran (a chunk
 * that ran has taken some time to rebuild), and counts none of its items.
 *
 * A worker keeps the last MAX_FUNCTIONS_PER_WORKER functions it was sent and drops the oldest; the parent keeps
 * the same list per worker, so it knows when a function must be sent again, with no message to say so.
 *
 * A function whose classes (or the classes they refer to) exist only in the parent's memory, such as a single-file
 * source program's, a compact source file's or a jshell snippet's, is preceded by a CLASSES message holding those
 * the worker was not yet sent, or was sent in another version (same name, other bytes). The worker defines them in
 * a class loader of its own under the application's, through which its serializer then reads; when a class it
 * holds changes, it defines everything it holds again in a fresh loader, and the old one is dropped. The parent
 * remembers per worker each class's name and a hash of its bytes, so a class crosses once per worker.
 *
 * failure = original:varint+bytes (empty if it could not be serialised)  mirror:object (a RemoteException)
 * </pre>
 *
 * <p>Three versions keep a parent and a worker of different procpool versions from misreading each other, each
 * checked where its bytes are first read, with an error that names both: the status file's layout
 * ({@link StatusDescriptor#VERSION}, when the worker maps it), the start-up rings' (when the worker maps them;
 * the rings carry a worker's first messages, so a parent whose messages have no version is refused there), and
 * this protocol's, in every message's header.
 */
public final class Protocol {
    /**
     * The version of the messages' layout, the first byte of every message: bumped whenever a message changes. A
     * side that reads a message of another version refuses it ({@link #readHeader}).
     */
    public static final byte VERSION = 2;

    /** Start-up stamp: the worker's {@code main} was entered (the JVM has booted). */
    public static final int STAMP_MAIN = 0;
    /** Start-up stamp: the worker's serialiser is ready (loaded on a thread of its own, beside the queues). */
    public static final int STAMP_SERIALIZER_READY = 1;
    /**
     * Start-up stamp: the worker began mapping its status file and start-up rings. Its Chronicle queues open later,
     * on a thread of their own; when they were open goes through its status descriptor
     * ({@link StatusDescriptor#queuesOpen}), since that is often after READY.
     */
    public static final int STAMP_CHANNEL_OPENING = 2;
    /** Start-up stamp: the worker read its INIT message. */
    public static final int STAMP_INIT_READ = 3;
    /** How many start-up stamps a READY message carries. */
    public static final int STAMPS = 4;

    /**
     * Wall-clock microseconds since the epoch: the one clock two processes on a machine share ({@code nanoTime}
     * has an origin per JVM), for timing a worker's start-up across the process boundary.
     *
     * @return microseconds since 1970-01-01T00:00Z
     */
    public static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /**
     * Starts a message: the protocol's version, then the message's type.
     *
     * @param out  where to write, at the start of the message
     * @param type the message's type, e.g. {@link #CHUNK}
     * @return {@code out}, for the message's fields
     */
    public static Output writeHeader(Output out, byte type) {
        out.writeByte(VERSION);
        out.writeByte(type);
        return out;
    }

    /**
     * Reads a message's header, refusing a message of another version.
     *
     * @param in at the start of the message
     * @return the message's type; {@code in} is at its first field
     * @throws VersionMismatchException if the message was written under another version of this protocol
     */
    public static byte readHeader(Input in) {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new VersionMismatchException(version);
        }
        return in.readByte();
    }

    /**
     * Returns a message's type without reading it through an input.
     *
     * @param message a buffer holding a message, from its start
     * @return the message's type, whatever its version
     */
    public static byte typeOf(byte[] message) {
        return message[1];
    }

    /** A message written under another version of the protocol: the two sides run different procpool versions. */
    public static final class VersionMismatchException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        VersionMismatchException(int found) {
            super("a message of protocol version " + found + "; this side speaks version " + VERSION
                    + ": the parent and its worker run different procpool versions");
        }
    }

    /** Parent to worker: set-up, once, first. */
    public static final byte INIT = 1;
    /** Parent to worker: class files a function that follows needs, which exist only in the parent's memory. */
    public static final byte CLASSES = 4;
    /** Parent to worker: a call's function. */
    public static final byte FUNCTION = 2;
    /** Parent to worker: items to run. */
    public static final byte CHUNK = 3;
    /** Parent to worker: exit when done. */
    public static final byte SHUTDOWN = 5;

    /** Worker to parent: initialised and waiting for work. */
    public static final byte READY = 20;
    /** Worker to parent: the initializer failed; the worker exits. */
    public static final byte INIT_FAILED = 21;
    /** Worker to parent: the outcomes of a chunk. */
    public static final byte RESULT = 22;
    /** Worker to parent: maxTasksPerChild reached or maxMemoryPerChild passed; the worker exits. */
    public static final byte RETIRING = 23;
    /** Worker to parent: shutting down as asked. */
    public static final byte BYE = 24;

    /** How many functions a worker keeps; both sides drop the oldest beyond it. */
    public static final int MAX_FUNCTIONS_PER_WORKER = 256;

    /** Per-item outcome in a RESULT: the task returned a value. */
    public static final byte OK = 0;
    /** Per-item outcome in a RESULT: the task threw. */
    public static final byte TASK_FAILED = 1;
    /** Per-item outcome in a RESULT: the item, function or result could not cross the boundary. */
    public static final byte NOT_SERIALIZABLE = 2;
    /** Per-item outcome in a RESULT: the worker could not deliver the result, e.g. no room in the queue. */
    public static final byte NOT_DELIVERED = 3;
    /**
     * Per-item outcome in a RESULT: the pool that ran the item for the worker (a cluster member's own worker JVMs)
     * failed it, e.g. its worker crashed or its time ran out; the failure is that pool's exception, rethrown as it is.
     */
    public static final byte POOL_FAILED = 4;

    /** Exit code of a worker whose initializer failed. */
    public static final int EXIT_INIT_FAILED = 70;
    /** Exit code of a worker that found its parent gone. */
    public static final int EXIT_PARENT_GONE = 71;
    /** Exit code of a worker that could not start (bad arguments, queues it cannot open). */
    public static final int EXIT_BAD_START = 72;

    private Protocol() {
    }
}
