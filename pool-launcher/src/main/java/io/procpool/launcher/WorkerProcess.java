package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.internal.PoolNames;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.launcher.internal.core.SlotChannel;
import io.procpool.launcher.internal.core.SlotEnd;
import io.procpool.launcher.internal.core.SlotReports;
import io.procpool.launcher.internal.core.WorkerSlot;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StatusDescriptor;
import io.procpool.worker.internal.serial.ValueSerializer;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One worker JVM as the pool's core sees it through the {@link SlotChannel} seam: its process (started and watched
 * with Commons Exec), its Chronicle queues and status file, and the encoder and decoder of what crosses them. The
 * core's state of the slot (its life, the chunks it holds) is the core's, in {@link WorkerSlot}.
 *
 * <p>Threads: sending and polling belong to the thread that holds the slot; the exit callback, {@link #kill}, the
 * status reads and {@link #release} are safe from any thread.
 */
final class WorkerProcess implements SlotChannel {
    /** The name of the worker's pool, for its threads, its lines of output and its crash reports. */
    final String pool;
    final int slot;
    final Path directory;
    final String command;
    /** When it reached each phase of its start-up: what {@link ProcessPool#startupBreakdown()} reports. */
    final WorkerStartup startup = new WorkerStartup();
    final WorkerOutput stdout;
    final WorkerOutput stderr;
    /** Its class-data archive, as {@link StartupBreakdown.Worker#archive()} reports it. */
    String archive = "none";
    private final java.util.concurrent.atomic.AtomicReference<String> killReason =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Created before the process starts, which opens it; then owned by the channel. */
    private StatusDescriptor status;
    private ChronicleChannel channel;
    private PoolCounters counters;
    /** Made by {@link #useValues}, once the worker is launched: nothing is sent or read before. */
    private TasksProxy tasks;
    private ResultsAdapter results;
    private volatile Process process;
    private volatile java.io.OutputStream stdin;
    /** Starts the process and watches it on a Commons Exec thread. */
    private volatile ChildExecutor executor;
    /** The kernel's OOM kill counts as the worker started, to tell its OOM killer's SIGKILL from another's. */
    private volatile OomKills oomKillsAtStart;

    WorkerProcess(String pool, int slot, Path directory, String command) {
        this.pool = pool;
        this.slot = slot;
        this.directory = directory;
        this.command = command;
        this.stdout = new WorkerOutput(pool, slot, false);
        this.stderr = new WorkerOutput(pool, slot, true);
    }

    /** Creates the status file, stamped with its layout's version: before the worker starts, which opens it. */
    void createStatus(QueueLayout layout) throws IOException {
        status = StatusDescriptor.create(layout.statusFile());
    }

    /**
     * Opens the parent's side of the worker's channel: its start-up rings at once, its queues later (see
     * {@link ChronicleChannel}). Called before {@link #start}, so that the worker finds its set-up message waiting.
     */
    void openChannel(QueueLayout layout, PoolCounters counters) throws IOException {
        startup.parentQueuesOpeningMicros = Protocol.epochMicros();
        channel = new ChronicleChannel(layout, PoolNames.thread(pool, "queues-" + slot), status, this::wake,
                this::kill, () -> startup.parentQueuesOpenMicros = Protocol.epochMicros());
        this.counters = counters;
    }

    /**
     * Gives the channel its serialiser, for what the pool sends the worker and what it answers: made while the
     * worker boots (a JVM's first costs a tenth of a second), or before its launch where its set-up needs it.
     */
    void useValues(ValueSerializer values) {
        tasks = new TasksProxy(values, counters);
        results = new ResultsAdapter(channel, values, startup);
    }

    /** {@return whether {@link #useValues} was called} */
    boolean hasValues() {
        return tasks != null;
    }

    /** {@return when the worker's Chronicle queues were open, or 0 if they were not (yet)} */
    long queuesOpenMicros() {
        return status == null ? 0 : status.queuesOpenMicros();
    }

    /** Sends classes that exist only in this JVM's memory ahead of the set-up message: the initializer's. */
    void sendClasses(java.util.List<io.procpool.worker.internal.protocol.ShippedClass> classes) {
        if (!classes.isEmpty()) {
            tasks.sendClasses(channel, classes);
        }
    }

    /** Sends the worker its set-up message, before it starts: it finds it waiting in its tasks ring. */
    void sendInit(byte[] bytes, int length) {
        channel.send(bytes, length);
    }

    void start(CommandLine commandLine, Consumer<Exit> onExit) {
        oomKillsAtStart = OomKills.now();
        executor = new ChildExecutor(PoolNames.thread(pool, ""), "-" + slot, started -> {
            startup.processStartedMicros = Protocol.epochMicros();
            stdout.launched(started.pid());
            stderr.launched(started.pid());
            process = started;
            if (killReason.get() != null) {
                ChildExecutor.kill(started); // killed before it was even running
            }
        });
        executor.setExitValues(null);
        executor.setStreamHandler(new ChildExecutor.Pumps(executor, stdout, stderr) {
            /** Keep the worker's stdin open, for wake-ups; Commons Exec would close it, there being no input. */
            @Override
            public void setProcessInputStream(java.io.OutputStream os) {
                stdin = os;
            }
        });
        try {
            executor.execute(commandLine, new ExecuteResultHandler() {
                @Override
                public void onProcessComplete(int exitValue) {
                    onExit.accept(new Exit(exitValue, null));
                }

                @Override
                public void onProcessFailed(ExecuteException e) {
                    boolean launched = process != null;
                    onExit.accept(new Exit(e.getExitValue(), launched ? null : e));
                }
            });
        } catch (IOException e) {
            onExit.accept(new Exit(-1, e));
        }
    }

    /** The end of the process; {@code launchFailure} is set when it could not be started at all. */
    record Exit(int exitCode, Throwable launchFailure) {
    }

    /** The pool is idle: this side opens its Chronicle queues, then has the worker open its own. */
    @Override
    public boolean settle() {
        return channel.switchTasksOnceOpen();
    }

    @Override
    public void wakeAhead() {
        channel.wakeAhead();
    }

    @Override
    public int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction) {
        return tasks.prepare(call, chunk, seq, withFunction);
    }

    @Override
    public void sendPrepared() {
        tasks.sendPrepared(channel);
    }

    @Override
    public SerializationException itemFailure(Chunk chunk, int index) {
        return tasks.itemFailure(chunk, index);
    }

    @Override
    public void sendShutdown() {
        TasksProxy.sendShutdown(channel);
    }

    @Override
    public int poll(SlotReports reports, int maxMessages) {
        return results.poll(reports, maxMessages);
    }

    @Override
    public void drain(SlotReports reports) {
        results.poll(reports, Integer.MAX_VALUE);
    }

    /**
     * Wakes the worker: one byte on its stdin, which a sleeping worker blocks on. Only for a worker that says it
     * sleeps, since it costs a system call on each side.
     */
    private void wake() {
        java.io.OutputStream in = stdin;
        if (in != null) {
            try {
                in.write(1);
                in.flush();
            } catch (IOException e) {
                // The worker is gone; its exit is on its way to the pool.
            }
        }
    }

    @Override
    public void beat(long nowNanos) {
        channel.beat(nowNanos);
    }

    @Override
    public long workerHeartbeatNanos() {
        return channel.workerHeartbeatNanos();
    }

    /**
     * Whether the process has ended: the JDK's reaper may not have seen it yet on a loaded machine, so on Linux the
     * kernel's own state is read too (a zombie has ended; its parent has not reaped it yet).
     */
    @Override
    public boolean processEnded() {
        Process started = process;
        if (started == null) {
            return false;
        }
        if (!started.isAlive()) {
            return true;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(started.pid()),
                    "stat"));
            int afterName = stat.lastIndexOf(')'); // the name in parentheses may hold spaces and parentheses
            char state = afterName > 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false; // not Linux, or unreadable: the reaper's word stands
        }
    }

    @Override
    public long itemStartedNanos() {
        return channel.itemStartedNanos();
    }

    @Override
    public long currentChunk() {
        return channel.currentChunk();
    }

    @Override
    public long currentItem() {
        return channel.currentItem();
    }

    @Override
    public long skippedChunk() {
        return channel.skippedChunk();
    }

    @Override
    public void cancelCall(int index, long callId) {
        channel.cancelCall(index, callId);
    }

    @Override
    public int cancelledCallNames() {
        return StatusDescriptor.CANCELLED_SLOTS;
    }

    /** {@return the process id, known from the process handle once it runs} */
    @Override
    public long pid() {
        Process started = process;
        return started != null ? started.pid() : -1;
    }

    /** Kills the process at once (SIGKILL); the exit callback follows. */
    @Override
    public void kill(String reason) {
        killReason.compareAndSet(null, reason);
        Process started = process;
        if (started != null) {
            ChildExecutor.kill(started); // its last lines are still read to the end
        }
    }

    /** {@return what the kernel's OOM kill counts say of a SIGKILL the pool did not send, to follow its words} */
    String oomVerdict() {
        OomKills before = oomKillsAtStart;
        return before == null ? "" : before.verdict(OomKills.now());
    }

    @Override
    public String killReason() {
        return killReason.get();
    }

    @Override
    public WorkerCrashedException crashed(SlotEnd end, Chunk chunk, int attempts) {
        return CrashReport.crashed(this, end, chunk, attempts);
    }

    @Override
    public PoolException startFailed(SlotEnd end, Throwable initFailure) {
        return CrashReport.startFailed(this, end, initFailure);
    }

    /** Waits briefly for the Commons Exec thread that watched this process, so none outlives the pool. */
    @Override
    public void awaitWatcher(long millis) {
        Thread thread = executor == null ? null : executor.watcher();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the parent's side of the queues and of stdin, and deletes the worker's directory. */
    @Override
    public void release() {
        java.io.OutputStream in = stdin;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // Already closed by the worker's exit.
            }
        }
        if (channel != null) {
            channel.close();
        } else if (status != null) {
            try {
                status.close();
            } catch (IOException e) {
                // The mapping goes with the process anyway.
            }
        }
        PoolDirectory.deleteQuietly(directory);
    }

    @Override
    public String toString() {
        return "worker " + slot + " (pid " + pid() + ")";
    }
}
