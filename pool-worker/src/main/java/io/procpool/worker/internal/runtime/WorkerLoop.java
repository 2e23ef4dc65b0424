package io.procpool.worker.internal.runtime;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.Initializer;
import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.ClassesMessage;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.transport.BufferRetention;
import io.procpool.worker.internal.transport.StatusDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's message loop, on its main thread: reads set-up, functions and chunks from its tasks, runs each chunk,
 * and writes the answers to its results, until told to shut down, or until it has run {@code maxTasksPerChild}
 * items or its resident memory is above {@code maxMemoryPerChild} after a chunk. Between messages it spins, then yields, then sleeps until its parent wakes it.
 *
 * <pre>
 *   tasks --poll--> INIT: run the initializer, answer READY (or INIT_FAILED, and exit with EXIT_INIT_FAILED)
 *                   CLASSES: define classes that exist only in the parent's memory (ShippedClasses)
 *                   FUNCTION: keep the call's function, rebuilt when a chunk first needs it
 *                   CHUNK: apply the function to each item (ChunkRunner), answer RESULT
 *                   SHUTDOWN: answer BYE and exit 0
 * </pre>
 */
final class WorkerLoop {
    private static final int INITIAL_OUTPUT_BYTES = 8192;
    /**
     * How long a sleep on the futex lasts before the worker looks at its queue again: a message is always followed
     * by a wake-up, so this only bounds what a lost one would cost; once a second costs an idle worker nothing.
     */
    static final long FUTEX_LOOK_NANOS = 1_000_000_000L;

    /** The worker's serializer, which reads through the classes the parent sent by value, if any. */
    private final ShippedClasses values;
    private final ChunkRunner runner;
    /** Marks in the status when each item starts, while {@link #tracksItems}. */
    private final ChunkRunner.ItemWatch itemWatch;
    private long runningSeq;
    private final Output out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
    private final BufferRetention outRetention = new BufferRetention();
    /**
     * Functions' bytes by id, the oldest dropped first; the parent mirrors this to know what it must send again. Once
     * rebuilt, a function's bytes are kept only if it was rebuilt through classes the parent sent by value, which a
     * later CLASSES message may replace (then it is rebuilt again); otherwise its entry holds {@code null}.
     */
    private final Map<Long, byte[]> functions = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            boolean drop = size() > Protocol.MAX_FUNCTIONS_PER_WORKER;
            if (drop) {
                rebuilt.remove(eldest.getKey());
            }
            return drop;
        }
    };
    /** The functions rebuilt so far, by id: the {@link io.procpool.Task}, or the exception rebuilding gave. */
    private final Map<Long, Object> rebuilt = new HashMap<>();
    private final WorkerMessages tasks;
    private final WorkerMessages results;
    private final StatusDescriptor status;
    private final IdleStrategy idle;
    /** The start-up stamps READY carries, indexed by {@code Protocol.STAMP_}; this loop stamps INIT's reading. */
    private final long[] stamps;
    private final ByteBuffer wakeUps = ByteBuffer.allocate(64);
    /** Set at the first sleep on the futex, after which this thread never reads stdin again ({@link ParentWatch}). */
    private boolean stdinWatched;
    private long maxTasksPerChild;
    /** The most resident memory the worker may have after a chunk before it retires, or 0 for no limit. */
    private long maxMemoryPerChild;
    /** Reads this process's resident memory, when {@link #maxMemoryPerChild} is set. */
    private ResidentMemory residentMemory;
    /** Whether to say in the status when each item starts: only the parent's task timeout reads it. */
    private boolean tracksItems;
    private long tasksDone;

    WorkerLoop(ShippedClasses values, WorkerMessages messages, StatusDescriptor status, IdleStrategy idle,
               long[] stamps) {
        this.values = values;
        this.runner = new ChunkRunner(values);
        this.itemWatch = new ChunkRunner.ItemWatch() {
            @Override
            public void started(long index) {
                status.itemStarted(runningSeq, index, System.nanoTime());
            }

            @Override
            public void done() {
                status.idle();
            }
        };
        this.tasks = messages;
        this.results = messages;
        this.status = status;
        this.idle = idle;
        this.stamps = stamps;
    }

    /** {@return the worker's exit code: 0 when it was told to shut down or retired, else why it stopped} */
    int run() {
        try {
            return loop();
        } catch (Protocol.VersionMismatchException e) {
            System.err.println("procpool worker: " + e.getMessage());
            return Protocol.EXIT_BAD_START;
        }
    }

    private int loop() {
        awaitMessage();
        stamps[Protocol.STAMP_INIT_READ] = Protocol.epochMicros();
        Input in = new Input(tasks.bytes(), 0, tasks.length());
        byte first = Protocol.readHeader(in);
        while (first == Protocol.CLASSES) { // an initializer's in-memory classes, ahead of INIT
            values.receive(ClassesMessage.read(in));
            awaitMessage();
            in.setBuffer(tasks.bytes(), 0, tasks.length());
            first = Protocol.readHeader(in);
        }
        if (first != Protocol.INIT) {
            System.err.println("procpool worker: the first message was not INIT");
            return Protocol.EXIT_BAD_START;
        }
        if (!initialise(in)) {
            return Protocol.EXIT_INIT_FAILED;
        }
        while (true) {
            awaitMessage();
            in.setBuffer(tasks.bytes(), 0, tasks.length());
            byte type = Protocol.readHeader(in);
            switch (type) {
                case Protocol.CLASSES:
                    if (values.receive(ClassesMessage.read(in))) {
                        // Rebuilt through classes now replaced; those rebuilt before any were sent did not use them.
                        rebuilt.keySet().removeIf(id -> functions.get(id) != null);
                    }
                    break;
                case Protocol.FUNCTION:
                    readFunction(in);
                    break;
                case Protocol.CHUNK:
                    runChunk(in);
                    if (maxTasksPerChild > 0 && tasksDone >= maxTasksPerChild || aboveMemoryLimit()) {
                        startMessage(Protocol.RETIRING).writeVarLong(tasksDone, true);
                        send(out);
                        return 0;
                    }
                    break;
                case Protocol.SHUTDOWN:
                    send(startMessage(Protocol.BYE));
                    return 0;
                default:
                    System.err.println("procpool worker: unknown message type " + type);
                    return Protocol.EXIT_BAD_START;
            }
        }
    }

    /**
     * Polls the tasks queue, spinning then yielding for a while (back-to-back calls find the worker awake), then
     * sleeps until the parent wakes it.
     */
    private void awaitMessage() {
        while (!tasks.poll()) {
            if (idle.spinOrYield() && idle.sleeps()) {
                if (sleepUntilWoken()) {
                    break;
                }
                // The parent wakes a sleeping worker as it begins to encode a message, so that the wake-up
                // (0.1 ms or more on a small virtual machine) overlaps the encoding: wait for the message awake.
                idle.reset();
            }
        }
        idle.reset();
    }

    /**
     * Says in the status that this worker sleeps, looks at the queue once more, and sleeps until the parent wakes
     * it: on the status's wake word (a futex), once both sides have bound futex wake-ups
     * ({@link StatusDescriptor#mayWaitOnFutex()}), else on its stdin, where the parent writes a byte, once per
     * sleep, when it sends work to a worker that says it sleeps (see {@link StatusDescriptor#currentSleep}).
     * On stdin, its end means the parent is gone (the operating system closes the pipe when the parent dies,
     * however it dies), and the worker exits at once; once it sleeps on the futex (which it then always does), a
     * thread of its own reads stdin for that end ({@link ParentWatch#watchStdin}), and the wait ends every
     * {@value #FUTEX_LOOK_NANOS} ns to look at the queue again, so that no wake-up
     * lost to a fault on either side leaves a message unread for long. The stdin read goes through a channel so
     * that {@link WorkerExit#exit} can close it: a JVM that exits waits for threads blocked in native code, and an
     * interruptible channel's reader returns when the channel is closed.
     *
     * @return whether a look found a message, now in the tailer
     */
    private boolean sleepUntilWoken() {
        boolean onFutex = status.mayWaitOnFutex();
        status.asleep(onFutex);
        try {
            if (tasks.poll()) {
                return true;
            }
            if (onFutex) {
                if (!stdinWatched) {
                    stdinWatched = true;
                    ParentWatch.watchStdin(); // its end still says at once that the parent is gone
                }
                while (!status.awaitWake(FUTEX_LOOK_NANOS)) {
                    if (WorkerExit.exiting()) {
                        WorkerExit.awaitExit();
                    }
                    if (tasks.poll()) {
                        return true;
                    }
                }
                if (WorkerExit.exiting()) {
                    WorkerExit.awaitExit(); // woken by an exit on another thread: park, out of native code
                }
                return false;
            }
            wakeUps.clear();
            if (WorkerExit.stdin().read(wakeUps) < 0 && !WorkerExit.exiting()) {
                WorkerExit.exit(Protocol.EXIT_PARENT_GONE);
            }
            if (WorkerExit.exiting()) {
                WorkerExit.awaitExit(); // stdin was closed by an exit on another thread: no more polling meanwhile
            }
        } catch (IOException e) {
            if (WorkerExit.exiting()) {
                WorkerExit.awaitExit();
            }
            WorkerExit.exit(Protocol.EXIT_PARENT_GONE); // the pipe broke: the same as its end
        } finally {
            status.awake();
        }
        return false;
    }

    /**
     * Whether this worker's resident memory passed {@code maxMemoryPerChild}: read once its chunk's results are
     * sent, so that the chunk that crossed the limit completes, and the worker then retires as one that reached
     * {@code maxTasksPerChild} does (chunks handed to it ahead have not started, and its parent sends them to others).
     */
    private boolean aboveMemoryLimit() {
        return residentMemory != null && residentMemory.bytes() > maxMemoryPerChild;
    }

    private boolean initialise(Input in) {
        maxTasksPerChild = in.readVarInt(true);
        maxMemoryPerChild = in.readVarLong(true);
        if (maxMemoryPerChild > 0) {
            residentMemory = ResidentMemory.open();
        }
        tracksItems = in.readBoolean();
        if (in.readBoolean()) {
            byte[] bytes = in.readBytes(in.readVarInt(true));
            try {
                Initializer initializer = (Initializer) decode(bytes, "the initializer");
                initializer.run();
            } catch (Throwable t) {
                Failures.write(values, startMessage(Protocol.INIT_FAILED), t);
                send(out);
                return false;
            }
        }
        startMessage(Protocol.READY).writeVarLong(ProcessHandle.current().pid(), true);
        out.writeVarInt(Protocol.STAMPS, true);
        for (long stamp : stamps) {
            out.writeVarLong(stamp, true);
        }
        send(out);
        return true;
    }

    /** Keeps a function's bytes: it is rebuilt when a chunk first needs it, after that chunk is marked received. */
    private void readFunction(Input in) {
        long functionId = in.readVarLong(true);
        functions.put(functionId, in.readBytes(in.readVarInt(true)));
        rebuilt.remove(functionId);
    }

    /** {@return the function, rebuilt on first use, or the {@link SerializationException} that rebuilding gave} */
    private Object function(long functionId) {
        Object function = rebuilt.get(functionId);
        byte[] bytes = functions.get(functionId);
        if (function == null && bytes != null) {
            try {
                function = decode(bytes, "the function");
                if (!values.holdsClasses()) {
                    functions.put(functionId, null); // nothing can replace its classes: let its bytes go
                }
            } catch (SerializationException e) {
                function = e;
            }
            rebuilt.put(functionId, function);
        }
        return function;
    }

    private void runChunk(Input in) {
        long start = System.nanoTime();
        long seq = in.readVarLong(true);
        status.chunkReceived(seq);
        runningSeq = seq;
        long callId = in.readVarLong(true);
        long functionId = in.readVarLong(true);
        long firstIndex = in.readVarLong(true);
        int count = in.readVarInt(true);
        if (status.isCancelled(callId)) {
            skipChunk(seq, count);
            return;
        }
        Object function = function(functionId);
        Output message = startMessage(Protocol.RESULT);
        message.writeVarLong(seq, true);
        message.writeVarInt(count, true);
        int mark = message.position();
        runner.run(in, firstIndex, count, function, message, start,
                tracksItems ? itemWatch : ChunkRunner.ItemWatch.NONE);
        tasksDone += count;
        try {
            send(message);
        } catch (PoolException e) {
            // The results do not fit (a full file system): say so for each item, in a message that does fit.
            message.setPosition(mark);
            ChunkCodec.writeUndelivered(message, count, e.getMessage());
            runner.writeLastTimings(message);
            send(message);
        }
    }

    /** A chunk of a cancelled call never starts: each item is answered as not delivered, which the parent drops. */
    private void skipChunk(long seq, int count) {
        status.skipped(seq);
        tasksDone += count; // the parent counts them as sent: a worker with maxTasksPerChild must still retire
        Output message = startMessage(Protocol.RESULT);
        message.writeVarLong(seq, true);
        message.writeVarInt(count, true);
        ChunkCodec.writeUndelivered(message, count, "its call was cancelled before it started");
        ChunkCodec.writeTimings(message, 0, 0, 0);
        send(message);
    }

    /** Rebuilds a function or initializer with this worker's serializer, under the pool's class allow-list. */
    private Object decode(byte[] bytes, String what) {
        try {
            return values.read(new Input(bytes));
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            values.reset();
            throw KryoCodec.failure("could not deserialise " + what + " in the worker", null, e);
        }
    }

    private Output startMessage(byte type) {
        if (outRetention.shrink(out.getBuffer().length, out.position())) {
            out.setBuffer(new byte[INITIAL_OUTPUT_BYTES], -1);
        }
        out.reset();
        return Protocol.writeHeader(out, type);
    }

    private void send(Output message) {
        results.write(message.getBuffer(), message.position());
    }
}
