package io.procpool.launcher;

import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StatusDescriptor;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.PumpStreamHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One worker JVM as the parent sees it: its process (started and watched with Commons Exec), its queues and
 * status file, and the chunks it holds.
 *
 * <p>Who may touch it: the thread that holds it. The pool's loop thread holds every worker, except that it lends
 * an idle one (ready, nothing in flight, no other work waiting) to a caller's thread that then drives the worker's
 * queues itself ({@link DirectPath}); {@link #lend()}, {@link #borrow()} and {@link #giveBack} hand it over
 * through an atomic, which orders everything the one did before everything the other does after. The exit
 * callback, {@link #kill} and the status descriptor are safe from any thread.
 */
final class WorkerProcess implements Supervisor.Watched {
    private static final int HELD_BY_LOOP = 0;
    private static final int LENDABLE = 1;
    private static final int LENT = 2;

    /**
     * Where a worker is in its life, as the thread that holds it sees it. It only moves forward:
     * <pre>
     * STARTING --READY message--> READY --RETIRING message--> RETIRING --+
     *     |                         |                                  +--exit--> EXITED
     *     +-----SHUTDOWN sent-------+--> SHUTTING_DOWN ----------------+
     * </pre>
     * A kill, which any thread may ask for, is apart from this: {@link #killReason} (the process's exit follows).
     */
    enum State {
        /** Launched; has not reported ready. */
        STARTING,
        /** Runs chunks. */
        READY,
        /** Reached {@code maxTasksPerChild}: finishes its chunk and exits; gets nothing more. */
        RETIRING,
        /** Told to finish and exit, the pool shutting down; gets nothing more. */
        SHUTTING_DOWN,
        /** Its process is gone. */
        EXITED
    }

    /** The end of a worker process. {@code launchFailure} is set when the process could not be started at all. */
    record Exit(WorkerProcess worker, int exitCode, Throwable launchFailure) {
    }

    /** A chunk sent to this worker, with when it was sent. */
    record InFlight(long seq, io.procpool.internal.Chunk chunk, long sentNanos) {
    }

    /** Why the pool killed this worker: item {@code index} of chunk {@code seq} ran for {@code elapsedNanos}. */
    record Timeout(long seq, long index, long elapsedNanos) {
    }

    final int slot;
    final Path directory;
    final String command;
    final long launchedNanos = System.nanoTime();
    /** When it reached each phase of its start-up: what {@link ProcessPool#startupBreakdown()} reports. */
    final WorkerStartup startup = new WorkerStartup();
    final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    final WorkerOutput stdout;
    final WorkerOutput stderr;
    private State state = State.STARTING;
    /** Whether this worker writes the class-data-sharing archive when it exits. */
    boolean writesArchive;
    /** Its class-data archive, as {@link StartupBreakdown.Worker#archive()} reports it. */
    String archive = "none";
    private long pid = -1;
    long itemsSent;
    /** Moving average of the time a chunk takes in the worker, which sets how many chunks it may hold. */
    double chunkNanosAverage = -1;
    Timeout timeout;
    /** The calls named in the status descriptor as cancelled, by slot, and how many were named so far. */
    private final long[] cancelledNamed = new long[StatusDescriptor.CANCELLED_SLOTS];
    private int cancelledSlots;
    /** Killed because it ran a chunk of a cancelled call: the pool's choice, not a lost worker. */
    boolean stoppedForCancel;
    volatile String killReason;
    Throwable initFailure;

    private final java.util.concurrent.atomic.AtomicInteger holder = new java.util.concurrent.atomic.AtomicInteger();
    /** Set by the exit callback, so that a caller's thread driving this worker stops waiting for it. */
    volatile boolean exitSeen;
    /** Created before the process starts, which opens it; then owned by the channel. */
    private StatusDescriptor status;
    private WorkerChannel channel;
    private volatile Process process;
    private volatile java.io.OutputStream stdin;
    /** Starts the process and watches it on a Commons Exec thread. */
    private volatile ChildExecutor executor;

    WorkerProcess(int slot, Path directory, String command) {
        this.slot = slot;
        this.directory = directory;
        this.command = command;
        this.stdout = new WorkerOutput(slot, false);
        this.stderr = new WorkerOutput(slot, true);
    }

    /** Creates the status file, stamped with its layout's version: before the worker starts, which opens it. */
    void createStatus(QueueLayout layout) throws IOException {
        status = StatusDescriptor.create(layout.statusFile());
    }

    /**
     * Opens the parent's side of the worker's channel: its start-up rings at once, its queues on a thread of their
     * own. Called before {@link #start}, so that the worker finds its set-up message waiting.
     */
    void openChannel(QueueLayout layout) throws IOException {
        startup.parentQueuesOpeningMicros = Protocol.epochMicros();
        channel = new ChronicleChannel(layout, status, this::wake, this::kill,
                () -> startup.parentQueuesOpenMicros = Protocol.epochMicros());
    }

    /** {@return when the worker's Chronicle queues were open, or 0 if they were not (yet)} */
    long queuesOpenMicros() {
        return status == null ? 0 : status.queuesOpenMicros();
    }

    /** Gives this worker a channel of another kind: a test's, that records what the scheduler sends. */
    void useChannel(WorkerChannel channel) {
        this.channel = channel;
    }

    void start(CommandLine commandLine, Consumer<Exit> onExit) {
        executor = new ChildExecutor(started -> {
            startup.processStartedMicros = Protocol.epochMicros();
            process = started;
            if (killReason != null) {
                started.destroyForcibly(); // killed before it was even running
            }
        });
        executor.setExitValues(null);
        executor.setStreamHandler(new PumpStreamHandler(stdout, stderr) {
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
                    onExit.accept(new Exit(WorkerProcess.this, exitValue, null));
                }

                @Override
                public void onProcessFailed(ExecuteException e) {
                    boolean launched = process != null;
                    onExit.accept(new Exit(WorkerProcess.this, e.getExitValue(), launched ? null : e));
                }
            });
        } catch (IOException e) {
            onExit.accept(new Exit(this, -1, e));
        }
    }

    /**
     * The functions this worker holds, oldest first, mirroring the worker's own bounded table.
     */
    private final java.util.LinkedHashSet<Long> functions = new java.util.LinkedHashSet<>();

    boolean hasFunction(long functionId) {
        return functions.contains(functionId);
    }

    void addFunction(long functionId) {
        functions.add(functionId);
        if (functions.size() > Protocol.MAX_FUNCTIONS_PER_WORKER) {
            functions.remove(functions.iterator().next());
        }
    }

    /** {@return where this worker is in its life} */
    State state() {
        return state;
    }

    /**
     * The worker reported ready, with its process id. A worker already told to shut down stays so.
     *
     * @throws IllegalStateException if it had reported ready before, or is past that: a protocol error
     */
    void onReady(long reportedPid) {
        if (state != State.STARTING && state != State.SHUTTING_DOWN) {
            throw new IllegalStateException(this + " reported ready when " + state);
        }
        pid = reportedPid;
        if (state == State.STARTING) {
            state = State.READY;
        }
    }

    /**
     * The worker reached {@code maxTasksPerChild} and will exit.
     *
     * @throws IllegalStateException if it was not running chunks: a protocol error
     */
    void onRetiring() {
        if (state != State.READY) {
            throw new IllegalStateException(this + " said it retires when " + state);
        }
        state = State.RETIRING;
    }

    /** {@return whether the pool may tell this worker to shut down: it has not been told and is not leaving} */
    boolean mayShutDown() {
        return state == State.STARTING || state == State.READY;
    }

    /** The pool told this worker to finish and exit. */
    void onShutdownSent() {
        if (!mayShutDown()) {
            throw new IllegalStateException("shutdown sent to " + this + " when " + state);
        }
        state = State.SHUTTING_DOWN;
    }

    /**
     * The worker's process is gone.
     *
     * @return the state it was in
     */
    State onExited() {
        State was = state;
        state = State.EXITED;
        return was;
    }

    /** {@return whether this worker takes chunks now: ready, and not being killed} */
    boolean takesChunks() {
        return state == State.READY && killReason == null;
    }

    /** {@return the process id: reported by the worker, or known from the process handle} */
    long pid() {
        Process started = process;
        return pid > 0 ? pid : started != null ? started.pid() : -1;
    }

    /** Starts waking the worker, if it sleeps, for a message about to be encoded (see {@link WorkerChannel#wakeAhead}). */
    void wakeAhead() {
        channel.wakeAhead();
    }

    /** Sends the worker a message, waking it if it sleeps. */
    void send(byte[] bytes, int length) {
        channel.send(bytes, length);
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

    /** Loop thread: offers this idle worker to a caller's thread. */
    void lend() {
        holder.set(LENDABLE);
    }

    /**
     * Loop thread: takes this worker back to use it.
     *
     * @return whether the loop holds it now; {@code false} while a caller's thread has it
     */
    boolean reclaim() {
        int now = holder.get();
        return now == HELD_BY_LOOP || now == LENDABLE && holder.compareAndSet(LENDABLE, HELD_BY_LOOP);
    }

    /** {@return whether the loop holds this worker (and has not merely offered it)} */
    boolean heldByLoop() {
        return holder.get() == HELD_BY_LOOP;
    }

    /** {@return whether a caller's thread drives this worker now} */
    boolean isLent() {
        return holder.get() == LENT;
    }

    /**
     * A caller's thread: takes this worker if it is offered.
     *
     * @return whether this thread holds it now
     */
    boolean borrow() {
        return holder.get() == LENDABLE && holder.compareAndSet(LENDABLE, LENT);
    }

    /**
     * A caller's thread: hands the worker back, offered again if it is still idle and fit, else to the loop.
     */
    void giveBack(boolean lendable) {
        holder.set(lendable ? LENDABLE : HELD_BY_LOOP);
    }

    /** {@return the transport to this worker} */
    WorkerChannel channel() {
        return channel;
    }

    boolean isAlive() {
        return state != State.EXITED;
    }

    /** Kills the process at once (SIGKILL); the exit callback follows. */
    void kill(String reason) {
        if (killReason == null) {
            killReason = reason;
        }
        Process started = process;
        if (started != null) {
            started.destroyForcibly();
        }
    }

    /** Waits briefly for the Commons Exec thread that watched this process, so none outlives the pool. */
    void awaitWatcher(long millis) {
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
    void release() {
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
    public boolean isStarting() {
        return state == State.STARTING;
    }

    @Override
    public boolean isReady() {
        return state == State.READY;
    }

    @Override
    public boolean isBeingKilled() {
        return killReason != null;
    }

    @Override
    public long launchedNanos() {
        return launchedNanos;
    }

    @Override
    public long workerHeartbeatNanos() {
        return channel.workerHeartbeatNanos();
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

    /**
     * Names a cancelled call in the worker's status descriptor, once, so that it skips the call's chunks queued in
     * it; the oldest name gives way when all slots are taken.
     */
    void nameCancelledCall(long callId) {
        for (long named : cancelledNamed) {
            if (named == callId) {
                return;
            }
        }
        int slot = cancelledSlots++ % cancelledNamed.length;
        cancelledNamed[slot] = callId;
        channel.cancelCall(slot, callId);
    }

    @Override
    public String toString() {
        return "worker " + slot + " (pid " + pid() + ")";
    }
}
