package io.procpool.worker;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.Initializer;
import io.procpool.SerializationException;
import io.procpool.worker.internal.logging.Quiet;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.internal.transport.BufferRetention;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.QueueSizes;
import io.procpool.worker.internal.transport.StatusDescriptor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The main class of a worker JVM. It reads set-up, functions and chunks from its tasks queue, runs each item, and
 * writes outcomes to its results queue, until told to shut down, until it has run {@code maxTasksPerChild} items,
 * or until its parent dies. Arguments: the worker's directory ({@link QueueLayout}) and the parent's pid.
 *
 * <pre>
 *   tasks queue --poll--> INIT: run the initializer, answer READY (or INIT_FAILED and exit 3)
 *                         FUNCTION: rebuild and keep the call's function
 *                         CHUNK: rebuild items, apply the function to each, answer RESULT
 *                         SHUTDOWN: answer BYE and exit 0
 * </pre>
 */
public final class WorkerMain {
    private static final long WATCH_INTERVAL_MS = 200;
    /** The system property with the age of the parent's heartbeat at which a worker gives up on its parent. */
    public static final String PARENT_HEARTBEAT_TIMEOUT_PROPERTY = "procpool.parentHeartbeatTimeoutMs";
    /**
     * The system property that makes a worker start on its main thread alone: it builds its serialiser and then
     * opens its Chronicle queues there, one after the other, rather than on threads of their own, and opens the
     * queues at once rather than after its first result. Set for the worker that writes the class-data archive: its
     * archive then holds Chronicle's classes even if it never runs a task, and a JVM dumping an archive crashed here
     * (Temurin 25.0.3, SIGSEGV in {@code LambdaProxyClassDictionary::find_lambda_proxy_class}) when threads linked
     * lambdas side by side.
     */
    public static final String SEQUENTIAL_START_PROPERTY = "procpool.sequentialStart";
    private static final int INITIAL_OUTPUT_BYTES = 8192;
    /**
     * When this worker reached each phase of its start-up ({@link Protocol#epochMicros}), indexed by the
     * {@code STAMP_} constants; sent with READY. Written before the serialiser's future completes or on the main
     * thread, so READY (sent after joining that future) sees every stamp.
     */
    private static final long[] STAMPS = new long[Protocol.STAMPS];
    /**
     * Set to {@code true} in every worker JVM before any task's class loads, so that a pool created while such a
     * class initialises (a pool in a static field of the class whose lambdas the worker runs) knows it is inside a
     * worker and does not start workers of its own until it is used.
     */
    public static final String IN_WORKER_PROPERTY = "procpool.inWorker";

    private final ValueSerializer values;
    private final ChunkRunner runner;
    /** Marks in the status when each item starts, while {@link #tracksItems}. */
    private final ChunkRunner.ItemWatch itemWatch;
    private long runningSeq;
    private final Output out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
    private final BufferRetention outRetention = new BufferRetention();
    /** Functions by id, the oldest dropped first; the parent mirrors this to know what it must send again. */
    private final Map<Long, Object> functions = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
            return size() > Protocol.MAX_FUNCTIONS_PER_WORKER;
        }
    };
    private final WorkerMessages tasks;
    private final WorkerMessages results;
    private final StatusDescriptor status;
    private final IdleStrategy idle;
    private final java.nio.ByteBuffer wakeUps = java.nio.ByteBuffer.allocate(64);
    private long maxTasksPerChild;
    /** Whether to say in the status when each item starts: only the parent's task timeout reads it. */
    private boolean tracksItems;
    private long tasksDone;

    private WorkerMain(ValueSerializer values, WorkerMessages messages, StatusDescriptor status, IdleStrategy idle) {
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
    }

    /**
     * Runs a worker.
     *
     * @param args the worker's directory and the parent's pid
     * @throws Exception if the worker cannot open its status file or its queues; it then exits with a non-zero
     *                   code, and the parent quotes what it wrote to standard error
     */
    public static void main(String[] args) throws Exception {
        STAMPS[Protocol.STAMP_MAIN] = Protocol.epochMicros();
        if (args.length != 2) {
            System.err.println("usage: WorkerMain <worker directory> <parent pid>");
            System.exit(Protocol.EXIT_BAD_START);
        }
        System.setProperty(IN_WORKER_PROPERTY, "true");
        Quiet.loggers();
        // The serialiser loads beside the main thread's own set-up; Chronicle later (see WorkerMessages).
        Path directory = Path.of(args[0]);
        QueueSizes sizes = QueueSizes.fromSystemProperty();
        java.util.concurrent.CompletableFuture<ValueSerializer> serializer =
                new java.util.concurrent.CompletableFuture<>();
        Runnable loadSerializer = () -> {
            try {
                // Large arrays pass through files in the pool's directory, the parent of this worker's.
                ValueSerializer created = ValueSerializers.create(ValueSerializers.fromSystemProperty(),
                        ClassFilter.fromSystemProperty(), directory.getParent(), sizes);
                STAMPS[Protocol.STAMP_SERIALIZER_READY] = Protocol.epochMicros();
                serializer.complete(created);
            } catch (Throwable t) {
                serializer.completeExceptionally(t);
            }
        };
        boolean sequential = Boolean.getBoolean(SEQUENTIAL_START_PROPERTY);
        if (sequential) {
            loadSerializer.run();
        } else {
            Thread loader = new Thread(loadSerializer, "procpool-serializer-loader");
            loader.setDaemon(true);
            loader.start();
        }
        QueueLayout layout = new QueueLayout(directory, sizes);
        long parentPid = Long.parseLong(args[1]);
        refuseForeignDirectory(layout.directory());
        // Chronicle's start (its core's set-up, native bindings, the queues) is most of a worker's: it runs on a
        // thread of its own while the first messages cross the start-up rings (see WorkerMessages).
        STAMPS[Protocol.STAMP_CHANNEL_OPENING] = Protocol.epochMicros();
        try (StatusDescriptor status = StatusDescriptor.open(layout.statusFile());
             WorkerMessages messages = new WorkerMessages(layout,
                     () -> status.queuesOpen(Protocol.epochMicros()), sequential)) {
            status.workerHeartbeat(System.nanoTime());
            watch(parentPid, status, Long.getLong(PARENT_HEARTBEAT_TIMEOUT_PROPERTY, 30_000));
            // A task's System.exit runs the hooks: close stdin there, so that a read of it does not hold up the exit.
            Runtime.getRuntime().addShutdownHook(new Thread(WorkerMain::closeStdin, "procpool-close-stdin"));
            // No timed park: past its yielding phase a worker sleeps on its stdin until woken (sleepUntilWoken).
            int exitCode = new WorkerMain(serializer.join(), messages, status,
                    IdleStrategy.fromSystemProperties(Long.MAX_VALUE)).run();
            // Exit explicitly: threads a task started must not keep a finished worker alive.
            System.out.flush();
            System.err.flush();
            exit(exitCode);
        }
    }

    private static final java.nio.channels.ReadableByteChannel STDIN =
            new java.io.FileInputStream(java.io.FileDescriptor.in).getChannel();

    private static void closeStdin() {
        exiting = true;
        try {
            STDIN.close();
        } catch (java.io.IOException e) {
            // Exiting anyway.
        }
    }

    /**
     * Exits now, without shutdown hooks, after unblocking the stdin reader (see {@link #listenForWakeUps}). The
     * first thread to call it exits; any other waits here for that exit, so that two exits cannot race (one halting
     * while the other still writes a flight recording).
     */
    private static void exit(int code) {
        if (!EXIT_STARTED.compareAndSet(false, true)) {
            awaitExit();
        }
        exiting = true;
        closeStdin();
        writeFlightRecordings();
        Runtime.getRuntime().halt(code);
    }

    /**
     * A recording started with {@code -XX:StartFlightRecording:filename=<directory>} keeps that directory to itself
     * (its {@code getDestination()} is null): it is read back from this JVM's options.
     *
     * @return the directory named by a flight recording option, or the working directory if none names one
     */
    private static Path recordingDirectory() {
        String option = "-XX:StartFlightRecording";
        for (String argument : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith(option)) {
                continue;
            }
            for (String part : argument.substring(option.length()).replaceFirst("^[:=]", "").split(",")) {
                if (part.startsWith("filename=")) {
                    Path path = Path.of(part.substring("filename=".length()));
                    if (java.nio.file.Files.isDirectory(path)) {
                        return path;
                    }
                }
            }
        }
        return Path.of("");
    }

    /** Waits, for ever, for the exit another thread has begun. */
    private static void awaitExit() {
        while (true) {
            java.util.concurrent.locks.LockSupport.park();
        }
    }

    /**
     * Stops the running flight recordings that would be written at exit, which writes them: JFR writes them from a
     * shutdown hook, which {@code halt} skips. A recording with a file name goes there; one with a directory, or
     * only to be dumped at exit, goes where JFR would put it, a name with the process id in that directory or in the
     * working directory. On a thread of its own, waited for at most {@value #RECORDINGS_TIMEOUT_MILLIS} ms. Only
     * the JFR class that says whether JFR started is loaded unless a recording was started.
     */
    private static void writeFlightRecordings() {
        try {
            if (!jdk.jfr.FlightRecorder.isInitialized()) {
                return; // the usual exit: no thread to start, nothing to wait for
            }
        } catch (LinkageError e) {
            return; // a runtime without JFR
        }
        Thread writer = new Thread(() -> {
            try {
                for (jdk.jfr.Recording recording : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                    if (recording.getState() != jdk.jfr.RecordingState.RUNNING) {
                        continue;
                    }
                    Path destination = recording.getDestination();
                    if (destination == null && !recording.getDumpOnExit()) {
                        continue;
                    }
                    if (destination == null || java.nio.file.Files.isDirectory(destination)) {
                        // Named as JFR names it: several workers given one directory write a file each.
                        String name = "hotspot-pid-" + ProcessHandle.current().pid() + "-id-" + recording.getId()
                                + "-" + java.time.LocalDateTime.now().format(
                                java.time.format.DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss")) + ".jfr";
                        recording.setDestination((destination == null ? recordingDirectory() : destination)
                                .resolve(name));
                    }
                    recording.stop();
                }
            } catch (RuntimeException | LinkageError | java.io.IOException e) {
                // A runtime without JFR, or a recording that cannot be written: the exit goes on.
            }
        }, "procpool-write-recordings");
        writer.setDaemon(true);
        writer.start();
        try {
            writer.join(RECORDINGS_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // exiting anyway
        }
    }

    /** Set once the worker has decided how it exits, so that closing stdin is not taken for the parent's death. */
    private static volatile boolean exiting;
    /** Claimed by the one thread that exits. */
    private static final java.util.concurrent.atomic.AtomicBoolean EXIT_STARTED =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** The longest an exit waits for flight recordings to be written, so that a large one cannot hold up close(). */
    private static final long RECORDINGS_TIMEOUT_MILLIS = 10_000;

    /**
     * The queues hold what this worker will deserialise and run: only their owner may have written them. The pool
     * makes the directory private to its user; a directory owned by anyone else is refused.
     */
    private static void refuseForeignDirectory(Path directory) {
        for (Path path : new Path[]{directory, directory.getParent()}) {
            try {
                // By user id, not name: in a container without a passwd entry the name is "?".
                Object owner = java.nio.file.Files.getAttribute(path, "unix:uid");
                Object me = java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions =
                        java.nio.file.Files.getPosixFilePermissions(path);
                boolean othersMayWrite = permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                        || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
                if (!owner.equals(me) || othersMayWrite) {
                    System.err.println("procpool worker: refusing queue directory " + path + " owned by uid "
                            + owner + " with permissions "
                            + java.nio.file.attribute.PosixFilePermissions.toString(permissions)
                            + "; it must belong to uid " + me + " and be writable by nobody else");
                    System.err.flush();
                    exit(Protocol.EXIT_BAD_START);
                }
            } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // No unix attributes or no /proc (not Linux): nothing to compare.
            }
        }
    }

    /**
     * A worker must not outlive its parent: when the parent is gone (killed, crashed) or has stopped beating
     * for longer than the limit (frozen), exit at once. The same thread beats the worker's heartbeat, so a worker
     * that stops beating is stuck as a whole, not merely busy with a long task.
     */
    private static void watch(long parentPid, StatusDescriptor status, long parentTimeoutMs) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            System.err.println("procpool worker: parent process " + parentPid + " is not running");
            exit(Protocol.EXIT_PARENT_GONE);
        }
        ProcessHandle handle = parent.get();
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(parentTimeoutMs);
        Thread watcher = new Thread(() -> {
            while (true) {
                long now = System.nanoTime();
                status.workerHeartbeat(now);
                if (!handle.isAlive()) {
                    exit(Protocol.EXIT_PARENT_GONE);
                }
                long parentBeat = status.parentHeartbeatNanos();
                if (parentBeat != 0 && now - parentBeat > limitNanos) {
                    System.err.println("procpool worker: the parent's heartbeat is "
                            + TimeUnit.NANOSECONDS.toMillis(now - parentBeat) + " ms old, past the limit of "
                            + parentTimeoutMs + " ms; exiting");
                    System.err.flush();
                    exit(Protocol.EXIT_PARENT_GONE);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(WATCH_INTERVAL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "procpool-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private int run() {
        awaitMessage();
        STAMPS[Protocol.STAMP_INIT_READ] = Protocol.epochMicros();
        Input in = new Input(tasks.bytes(), 0, tasks.length());
        if (in.readByte() != Protocol.INIT) {
            System.err.println("procpool worker: the first message was not INIT");
            return Protocol.EXIT_BAD_START;
        }
        if (!initialise(in)) {
            return Protocol.EXIT_INIT_FAILED;
        }
        while (true) {
            awaitMessage();
            in.setBuffer(tasks.bytes(), 0, tasks.length());
            byte type = in.readByte();
            switch (type) {
                case Protocol.FUNCTION:
                    readFunction(in);
                    break;
                case Protocol.CHUNK:
                    runChunk(in);
                    if (maxTasksPerChild > 0 && tasksDone >= maxTasksPerChild) {
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
     * Says in the status that this worker sleeps, looks at the queue once more, and blocks on its stdin, where the
     * parent writes a byte, once per sleep, when it sends work to a worker that says it sleeps (see
     * {@link StatusDescriptor#currentSleep}).
     * The end of stdin means the parent is gone (the operating system closes the pipe when the parent dies, however
     * it dies), and the worker exits at once. The read goes through a channel so that {@link #exit} can close it:
     * a JVM that exits waits for threads blocked in native code, and an interruptible channel's reader returns
     * when the channel is closed.
     *
     * @return whether the last look found a message, now in the tailer
     */
    private boolean sleepUntilWoken() {
        status.asleep();
        try {
            if (tasks.poll()) {
                return true;
            }
            wakeUps.clear();
            if (STDIN.read(wakeUps) < 0 && !exiting) {
                exit(Protocol.EXIT_PARENT_GONE);
            }
            if (exiting) {
                awaitExit(); // stdin was closed by an exit on another thread: no more polling meanwhile
            }
        } catch (java.io.IOException e) {
            if (exiting) {
                awaitExit();
            }
            exit(Protocol.EXIT_PARENT_GONE); // the pipe broke: the same as its end
        } finally {
            status.awake();
        }
        return false;
    }

    private boolean initialise(Input in) {
        maxTasksPerChild = in.readVarInt(true);
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
        for (long stamp : STAMPS) {
            out.writeVarLong(stamp, true);
        }
        send(out);
        return true;
    }

    /** Keeps a function's bytes: it is rebuilt when a chunk first needs it, after that chunk is marked received. */
    private void readFunction(Input in) {
        long functionId = in.readVarLong(true);
        functions.put(functionId, in.readBytes(in.readVarInt(true)));
    }

    /** {@return the function, rebuilt on first use, or the {@link SerializationException} that rebuilding gave} */
    private Object function(long functionId) {
        Object function = functions.get(functionId);
        if (function instanceof byte[]) {
            try {
                function = decode((byte[]) function, "the function");
            } catch (SerializationException e) {
                function = e;
            }
            functions.put(functionId, function);
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
        } catch (io.procpool.PoolException e) {
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
        out.writeByte(type);
        return out;
    }

    private void send(Output message) {
        results.write(message.getBuffer(), message.position());
    }
}
