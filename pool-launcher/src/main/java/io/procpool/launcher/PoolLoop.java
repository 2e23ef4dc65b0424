package io.procpool.launcher;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.TaskTimeoutException;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.worker.Failures;
import io.procpool.worker.IdleStrategy;
import io.procpool.worker.KryoCodec;
import io.procpool.worker.MessageTailer;
import io.procpool.worker.Protocol;
import io.procpool.worker.WorkerStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that drives a process pool. Each turn it takes new calls, handles workers that exited, reads
 * results (the collector), sends chunks to workers with room (the dispatcher), and every few milliseconds checks
 * timeouts and beats the parent's heartbeat (the supervisor). Owning every queue from one thread means no locks on
 * the dispatch path; callers hand work over through a lock-free queue and wake the thread.
 *
 * <pre>
 * callers --submit--> incoming --+                +--> tasks queue (worker n) --> worker JVM n
 *                                 +--> PoolLoop --+
 * Commons Exec --exit--> exits --+                +<-- results queue (worker n) <-- worker JVM n
 * </pre>
 */
final class PoolLoop implements Runnable {
    private static final long SUPERVISE_INTERVAL_NANOS = 2_000_000;
    /** A worker holds enough chunks to stay busy for about this long, and at least two. */
    private static final long TARGET_QUEUED_NANOS = 2_000_000;
    private static final int MIN_CHUNKS_IN_FLIGHT = 2;
    private static final int MAX_CHUNKS_IN_FLIGHT = 256;
    private static final int MAX_MESSAGES_PER_TURN = 256;
    private static final long EXIT_WAIT_AFTER_KILL_MS = 10_000;
    private static final long SPACE_CHECK_INTERVAL_NANOS = 100_000_000;
    private static final int SIGKILL_EXIT = 128 + 9;
    /** With nothing in flight the loop sleeps this long at most: callers and exits unpark it. */
    private static final long MAX_DEEP_PARK_NANOS = 250_000_000;
    /**
     * A worker polls without parking for a while after its last message (its idle strategy's yielding phase);
     * within this time of hearing from it, it needs no wake-up, which saves a system call on its side and ours.
     */
    private static final long WORKER_AWAKE_NANOS = 100_000;
    /** Room for a segment or two of each queue: below this a mapped write could meet a full file system. */
    private static final long MIN_FREE_BYTES = 64L << 20;

    private final PoolConfig config;
    private final PoolDirectory directory;
    private final WorkerLauncher launcher;
    private final PoolCounters counters;
    private final IdleStrategy idle;
    private final Thread thread;
    private final Queue<ActiveCall> incoming = new ConcurrentLinkedQueue<>();
    private final Queue<WorkerProcess.Exit> exits = new ConcurrentLinkedQueue<>();
    private final List<ActiveCall> calls = new ArrayList<>();
    private final java.util.Map<Long, ActiveCall> callsById = new java.util.HashMap<>();
    private final ArrayDeque<Chunk> retry = new ArrayDeque<>();
    private final WorkerProcess[] workers;
    private final Kryo kryo;
    private final Output out = new Output(8192, -1);
    private final io.procpool.worker.BufferRetention outRetention = new io.procpool.worker.BufferRetention();
    private final Input in = new Input();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final int maxConsecutiveStartFailures;

    private volatile boolean shutdownRequested;
    private volatile boolean terminateRequested;
    private volatile boolean finished;
    private boolean shutdownHandled;
    private boolean terminateHandled;
    private long terminateNanos;
    private int roundRobin;
    private long nextSeq = 1;
    private long lastSuperviseNanos;
    private int consecutiveStartFailures;
    private volatile PoolException broken;
    private long lastSpaceCheckNanos;
    /** Chunks that were sent again after their worker died, with how many times. */
    private final java.util.IdentityHashMap<Chunk, Integer> attempts = new java.util.IdentityHashMap<>();

    PoolLoop(PoolConfig config, PoolDirectory directory, PoolCounters counters) {
        this.config = config;
        this.directory = directory;
        this.counters = counters;
        this.idle = new IdleStrategy(config.idleMode(),
                Math.min(MAX_DEEP_PARK_NANOS, config.heartbeatTimeout().toNanos() / 4));
        this.kryo = KryoCodec.newKryo(config.classFilter());
        checkFreeSpace();
        this.launcher = new WorkerLauncher(config, directory);
        this.workers = new WorkerProcess[config.processes()];
        this.maxConsecutiveStartFailures = Math.max(3, 2 * config.processes());
        this.thread = new Thread(this, "procpool-loop-" + directory.path().getFileName());
        this.thread.setDaemon(true);
        try {
            for (int slot = 0; slot < workers.length; slot++) {
                workers[slot] = launch(slot);
            }
        } catch (RuntimeException e) {
            for (WorkerProcess worker : workers) {
                if (worker != null) {
                    worker.kill("the pool could not start: " + e.getMessage());
                    worker.release();
                }
            }
            throw e;
        }
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    CompletableFuture<Void> started() {
        return started;
    }

    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Hands a call to the loop; called by any thread. */
    void submit(ActiveCall call) {
        if (shutdownRequested || terminateRequested) {
            throw new IllegalStateException("the pool is shut down and accepts no new work");
        }
        incoming.add(call);
        LockSupport.unpark(thread);
        if (finished) {
            // The loop ended between the check and the add: nobody else will see this call.
            drainIncoming(new PoolException("the pool was shut down"));
        }
    }

    void requestShutdown() {
        shutdownRequested = true;
        LockSupport.unpark(thread);
    }

    void requestTerminate() {
        terminateRequested = true;
        LockSupport.unpark(thread);
    }

    /** @return why the pool is broken, or {@code null} */
    PoolException broken() {
        return broken;
    }

    boolean isStopping() {
        return shutdownRequested || terminateRequested;
    }

    @Override
    public void run() {
        try {
            while (!finished) {
                boolean worked = acceptCalls();
                worked |= handleExits();
                for (WorkerProcess worker : workers) {
                    if (worker != null && worker.isAlive()) {
                        worked |= collect(worker);
                    }
                }
                worked |= dispatch();
                long now = System.nanoTime();
                if (now - lastSuperviseNanos >= SUPERVISE_INTERVAL_NANOS) {
                    lastSuperviseNanos = now;
                    supervise(now);
                }
                if (terminateRequested) {
                    terminateNow(now);
                } else if (shutdownRequested) {
                    worked |= progressShutdown();
                }
                finished = allWorkersExited() && (terminateHandled || shutdownHandled && workLeft() == 0);
                if (worked) {
                    idle.reset();
                } else if (!finished) {
                    idle.idle(expectingAnswers());
                }
            }
        } catch (Throwable t) {
            broken = new PoolException("procpool's loop thread failed: " + t, t);
            failEverything(broken);
        } finally {
            finished = true;
            try {
                cleanUp();
            } finally {
                stopped.complete(null);
            }
        }
    }

    // ---------------------------------------------------------------- calls

    private boolean acceptCalls() {
        boolean worked = false;
        ActiveCall call;
        while ((call = incoming.poll()) != null) {
            worked = true;
            if (terminateHandled) {
                call.call().end(new PoolException("the pool was terminated"));
                continue;
            }
            if (broken != null) {
                call.call().end(broken);
                continue;
            }
            Call theCall = call.call();
            theCall.onRoom(() -> LockSupport.unpark(thread));
            calls.add(call);
            callsById.put(theCall.id(), call);
            if (shutdownHandled && theCall.isLazy()) {
                theCall.stopReading();
            }
        }
        return worked;
    }

    private void drainIncoming(PoolException failure) {
        ActiveCall call;
        while ((call = incoming.poll()) != null) {
            call.call().end(failure);
        }
    }

    private void reapFinishedCalls() {
        calls.removeIf(call -> {
            if (call.call().isFinished()) {
                callsById.remove(call.call().id());
                return true;
            }
            return false;
        });
    }

    /** @return the next chunk to send: one to run again first, then the calls in turn */
    private Chunk nextChunk() {
        Chunk again;
        while ((again = retry.poll()) != null) {
            if (!again.call().hasEnded()) {
                return again;
            }
            again.call().abandon(again);
        }
        int count = calls.size();
        for (int i = 0; i < count; i++) {
            int index = (roundRobin + i) % count;
            Chunk chunk = calls.get(index).call().nextChunk();
            if (chunk != null) {
                roundRobin = index + 1;
                return chunk;
            }
        }
        return null;
    }

    private long workLeft() {
        reapFinishedCalls();
        long inFlight = 0;
        for (WorkerProcess worker : workers) {
            if (worker != null) {
                inFlight += worker.inFlight.size();
            }
        }
        return calls.size() + retry.size() + inFlight + incoming.size();
    }

    // ---------------------------------------------------------------- dispatcher

    /** Sends chunks to ready workers, one per worker per pass, so work spreads evenly. */
    private boolean dispatch() {
        boolean worked = false;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (WorkerProcess worker : workers) {
                if (!hasRoom(worker)) {
                    continue;
                }
                Chunk chunk = nextChunk();
                if (chunk == null) {
                    return worked;
                }
                send(worker, chunk);
                worked = true;
                progress = true;
            }
        }
        return worked;
    }

    private boolean hasRoom(WorkerProcess worker) {
        if (worker == null || worker.state != WorkerProcess.State.READY || worker.killReason != null
                || worker.shutdownSent) {
            return false;
        }
        if (config.maxTasksPerChild() > 0 && worker.itemsSent >= config.maxTasksPerChild()) {
            return false;
        }
        int credit = worker.chunkNanosAverage < 0 ? MIN_CHUNKS_IN_FLIGHT
                : (int) Math.min(MAX_CHUNKS_IN_FLIGHT,
                Math.max(MIN_CHUNKS_IN_FLIGHT, TARGET_QUEUED_NANOS / Math.max(1.0, worker.chunkNanosAverage)));
        return worker.inFlight.size() < credit;
    }

    private void send(WorkerProcess worker, Chunk chunk) {
        ActiveCall call = callsById.get(chunk.call().id());
        long start = System.nanoTime();
        try {
            if (!worker.hasFunction(call.functionId())) {
                out.reset();
                out.writeByte(Protocol.FUNCTION);
                out.writeVarLong(call.functionId(), true);
                out.writeVarInt(call.functionBytes().length, true);
                out.writeBytes(call.functionBytes());
                worker.send(out.getBuffer(), out.position());
                worker.addFunction(call.functionId());
                counters.bytesToWorkers.add(out.position());
            }
            long seq = nextSeq++;
            out.reset();
            out.writeByte(Protocol.CHUNK);
            out.writeVarLong(seq, true);
            out.writeVarLong(call.functionId(), true);
            out.writeVarLong(chunk.firstIndex(), true);
            out.writeVarInt(chunk.size(), true);
            Object[] items = chunk.items();
            for (int i = 0; i < items.length; i++) {
                try {
                    kryo.writeClassAndObject(out, items[i]);
                } catch (RuntimeException | StackOverflowError e) {
                    kryo.reset();
                    rejectItem(worker, chunk, i, e);
                    return;
                }
            }
            worker.send(out.getBuffer(), out.position());
            long now = System.nanoTime();
            if (worker.inFlight.isEmpty() && now - worker.lastHeardNanos > WORKER_AWAKE_NANOS) {
                worker.wake();
            }
            worker.inFlight.add(new WorkerProcess.InFlight(seq, chunk, now));
            worker.itemsSent += chunk.size();
            counters.bytesToWorkers.add(out.position());
            counters.parentSerializeNanos.add(now - start);
            counters.tasksSubmitted.add(chunk.size());
        } catch (PoolException e) {
            // No room for this chunk or its function (a full file system): it fails alone, the pool goes on.
            failUnsent(chunk, e);
        } finally {
            shrinkOutput();
        }
    }

    /** A chunk that never reached a worker fails as a whole; it counts as submitted and completed, failed. */
    private void failUnsent(Chunk chunk, PoolException failure) {
        counters.tasksSubmitted.add(chunk.size());
        counters.tasksCompleted.add(chunk.size());
        counters.tasksFailed.add(chunk.size());
        attempts.remove(chunk);
        chunk.call().fail(chunk, failure);
    }

    /** Item {@code i} of a chunk cannot be serialised: it fails alone; the items around it still run. */
    private void rejectItem(WorkerProcess worker, Chunk chunk, int i, Throwable e) {
        Call call = chunk.call();
        Chunk bad = call.slice(chunk, i, i + 1);
        Chunk before = i > 0 ? call.slice(chunk, 0, i) : null;
        if (i + 1 < chunk.size()) {
            retry.addFirst(call.slice(chunk, i + 1, chunk.size()));
        }
        call.abandon(chunk);
        failUnsent(bad, KryoCodec.failure("could not serialise item " + bad.firstIndex(), bad.items()[0], e));
        if (before != null) {
            send(worker, before);
        }
    }

    private void shrinkOutput() {
        if (outRetention.shrink(out.getBuffer().length, out.position())) {
            out.setBuffer(new byte[8192], -1);
        }
    }

    // ---------------------------------------------------------------- collector

    private boolean collect(WorkerProcess worker) {
        MessageTailer results = worker.results();
        int read = 0;
        while (read < MAX_MESSAGES_PER_TURN && results.poll()) {
            read++;
            try {
                handleMessage(worker, results);
            } catch (RuntimeException e) {
                // A message this loop cannot read is that worker's fault, not the pool's: replace the worker.
                worker.kill("it sent a message the pool could not read: " + e);
                return true;
            }
        }
        return read > 0;
    }

    private void handleMessage(WorkerProcess worker, MessageTailer results) {
        worker.lastHeardNanos = System.nanoTime();
        in.setBuffer(results.bytes(), 0, results.length());
        byte type = in.readByte();
        switch (type) {
            case Protocol.READY:
                worker.pid = in.readVarLong(true);
                worker.state = WorkerProcess.State.READY;
                consecutiveStartFailures = 0;
                if (!started.isDone() && allWorkersReady()) {
                    started.complete(null);
                }
                break;
            case Protocol.INIT_FAILED:
                worker.initFailure = Failures.read(kryo, in);
                break;
            case Protocol.RESULT:
                counters.bytesFromWorkers.add(results.length());
                onResult(worker);
                break;
            case Protocol.RETIRING:
                worker.state = WorkerProcess.State.RETIRING;
                break;
            case Protocol.BYE:
                break;
            default:
                throw new IllegalStateException("unknown message type " + type + " from " + worker);
        }
    }

    private void onResult(WorkerProcess worker) {
        long start = System.nanoTime();
        long seq = in.readVarLong(true);
        WorkerProcess.InFlight sent = worker.inFlight.poll();
        if (sent == null || sent.seq() != seq) {
            throw new IllegalStateException(worker + " answered chunk " + seq + " but chunk "
                    + (sent == null ? "none" : sent.seq()) + " was next");
        }
        Chunk chunk = sent.chunk();
        if (!attempts.isEmpty()) {
            attempts.remove(chunk);
        }
        int count = in.readVarInt(true);
        ResultDecoder.Outcomes outcomes = ResultDecoder.decode(kryo, in, chunk, count);
        long now = System.nanoTime();
        counters.parentDeserializeNanos.add(now - start);
        counters.roundTripNanos.add(now - sent.sentNanos());
        counters.tasksCompleted.add(count);
        counters.tasksFailed.add(outcomes.failedCount());
        counters.chunksCompleted.increment();
        if (outcomes.timingsRead()) {
            counters.workerDeserializeNanos.add(outcomes.deserializeNanos());
            counters.workerExecuteNanos.add(outcomes.executeNanos());
            counters.workerSerializeNanos.add(outcomes.serializeNanos());
            long chunkNanos = outcomes.deserializeNanos() + outcomes.executeNanos() + outcomes.serializeNanos();
            chunk.call().chunkTimed(count, chunkNanos);
            worker.chunkNanosAverage = worker.chunkNanosAverage < 0 ? chunkNanos
                    : 0.8 * worker.chunkNanosAverage + 0.2 * chunkNanos;
        }
        chunk.call().complete(chunk, outcomes.values(), outcomes.failures());
    }

    // ---------------------------------------------------------------- supervisor

    private void supervise(long now) {
        for (WorkerProcess worker : workers) {
            if (worker == null || !worker.isAlive()) {
                continue;
            }
            worker.status().parentHeartbeat(now);
            if (worker.state == WorkerProcess.State.READY && config.taskTimeout() != null
                    && worker.killReason == null) {
                checkTimeout(worker, now);
            }
            checkHeartbeat(worker, now);
            if (worker.state == WorkerProcess.State.STARTING && worker.killReason == null
                    && now - worker.launchedNanos > config.startTimeout().toNanos()) {
                worker.kill("it did not start within " + config.startTimeout().toMillis() + " ms");
            }
        }
        if (now - lastSpaceCheckNanos > SPACE_CHECK_INTERVAL_NANOS) {
            lastSpaceCheckNanos = now;
            try {
                checkFreeSpace();
            } catch (PoolException e) {
                broken = e;
                failEverything(e);
            }
        }
        reapFinishedCalls();
    }

    /**
     * Memory-mapped queue files on a full file system fail with SIGBUS, which would take this JVM down: check the
     * space first, and stop with a clear error instead.
     */
    private void checkFreeSpace() {
        long free;
        try {
            free = java.nio.file.Files.getFileStore(directory.path()).getUsableSpace();
        } catch (java.io.IOException e) {
            return;
        }
        if (free < MIN_FREE_BYTES) {
            throw new PoolException(String.format("the file system of the queue directory %s is full: %d MiB "
                    + "free, procpool needs at least %d MiB; free some space or choose another directory with "
                    + "ProcessPool.builder().queueDirectory(...)", directory.path(), free >> 20,
                    MIN_FREE_BYTES >> 20));
        }
    }

    /** A worker whose heartbeat thread stopped is frozen or stuck as a whole: kill it and say how stale it was. */
    private void checkHeartbeat(WorkerProcess worker, long now) {
        long beat = worker.status().workerHeartbeatNanos();
        long limit = config.heartbeatTimeout().toNanos();
        if (beat != 0 && worker.killReason == null && now - beat > limit) {
            worker.kill("its heartbeat stopped: the last beat was " + (now - beat) / 1_000_000
                    + " ms ago, past the limit of " + config.heartbeatTimeout().toMillis() + " ms");
        }
    }

    private void checkTimeout(WorkerProcess worker, long now) {
        WorkerStatus status = worker.status();
        long itemStarted = status.itemStartedNanos();
        if (itemStarted == 0 || now - itemStarted <= config.taskTimeout().toNanos()) {
            return;
        }
        long seq = status.currentChunk();
        long index = status.currentItem();
        if (status.itemStartedNanos() != itemStarted) {
            return; // it moved on while we looked
        }
        worker.timeout = new WorkerProcess.Timeout(seq, index, now - itemStarted);
        worker.kill("item " + index + " ran past the task timeout");
    }

    private boolean handleExits() {
        boolean worked = false;
        WorkerProcess.Exit exit;
        while ((exit = exits.poll()) != null) {
            worked = true;
            onExit(exit);
        }
        return worked;
    }

    private void onExit(WorkerProcess.Exit exit) {
        WorkerProcess worker = exit.worker();
        if (worker.state == WorkerProcess.State.EXITED) {
            return;
        }
        // What the worker wrote before it died is complete and valid: take it first.
        MessageTailer results = worker.results();
        while (results.poll()) {
            handleMessage(worker, results);
        }
        WorkerProcess.State was = worker.state;
        boolean expected = exit.exitCode() == 0 && worker.killReason == null
                && (worker.shutdownSent || was == WorkerProcess.State.RETIRING);
        worker.state = WorkerProcess.State.EXITED;
        launcher.exited(worker, expected);
        if (!expected && !terminateHandled) {
            counters.workersLost.increment();
        }
        long running = worker.status().currentChunk();
        List<WorkerProcess.InFlight> held = new ArrayList<>(worker.inFlight);
        worker.inFlight.clear();
        for (int k = held.size() - 1; k >= 0; k--) {
            WorkerProcess.InFlight sent = held.get(k);
            Chunk chunk = sent.chunk();
            if (chunk.call().hasEnded()) {
                attempts.remove(chunk);
                chunk.call().abandon(chunk);
            } else if (!expected && sent.seq() <= running) {
                if (worker.timeout != null && worker.timeout.seq() == sent.seq()) {
                    failTimedOut(worker, chunk);
                } else {
                    int attempt = attempts.getOrDefault(chunk, 0);
                    if (attempt < config.retries()) {
                        attempts.put(chunk, attempt + 1);
                        retry.addFirst(chunk);
                    } else {
                        attempts.remove(chunk);
                        chunk.call().fail(chunk, CrashReport.crashed(worker, exit, chunk, attempt + 1));
                        counters.tasksCompleted.add(chunk.size());
                        counters.tasksFailed.add(chunk.size());
                    }
                }
            } else {
                retry.addFirst(chunk); // never started: it runs elsewhere
            }
        }
        worker.release();
        if (was == WorkerProcess.State.STARTING && !terminateHandled) {
            onStartFailure(worker, exit);
        }
        if (needsReplacement()) {
            try {
                workers[worker.slot] = launch(worker.slot);
            } catch (PoolException e) {
                // Its directory or queues could not be made: a start failure like any other.
                countStartFailure(e);
            }
        }
    }

    private void failTimedOut(WorkerProcess worker, Chunk chunk) {
        Call call = chunk.call();
        int late = (int) Math.max(0, Math.min(chunk.size() - 1, worker.timeout.index() - chunk.firstIndex()));
        Chunk lateItem = call.slice(chunk, late, late + 1);
        if (late + 1 < chunk.size()) {
            retry.addFirst(call.slice(chunk, late + 1, chunk.size()));
        }
        if (late > 0) {
            retry.addFirst(call.slice(chunk, 0, late));
        }
        call.abandon(chunk);
        counters.tasksCompleted.increment();
        counters.tasksFailed.increment();
        call.fail(lateItem, new TaskTimeoutException(String.format(
                "item %d ran for %d ms, past the task timeout of %d ms; its worker (pid %d) was killed and "
                        + "replaced", lateItem.firstIndex(), worker.timeout.elapsedNanos() / 1_000_000,
                config.taskTimeout().toMillis(), worker.pid()), config.taskTimeout()));
    }

    private void onStartFailure(WorkerProcess worker, WorkerProcess.Exit exit) {
        PoolException failure = CrashReport.startFailed(worker, exit);
        if (!started.isDone()) {
            started.completeExceptionally(failure);
            return;
        }
        if (exit.exitCode() == SIGKILL_EXIT && worker.killReason == null) {
            // Killed from outside (by a person, the OOM killer) while starting: nothing says the next one fails.
            return;
        }
        countStartFailure(failure);
    }

    private void countStartFailure(PoolException failure) {
        if (++consecutiveStartFailures >= maxConsecutiveStartFailures) {
            broken = new PoolException("the pool is broken: " + consecutiveStartFailures
                    + " workers in a row failed to start; the last: " + failure.getMessage(), failure);
            failEverything(broken);
        }
    }

    private boolean needsReplacement() {
        if (terminateRequested || broken != null || !started.isDone() || started.isCompletedExceptionally()) {
            return false;
        }
        return !shutdownRequested || workLeft() > 0;
    }

    private WorkerProcess launch(int slot) {
        WorkerProcess worker = launcher.launch(slot, exit -> {
            exits.add(exit);
            LockSupport.unpark(thread);
        });
        counters.workersStarted.increment();
        LockSupport.unpark(thread);
        return worker;
    }

    /** @return whether a worker owes the loop a message: results, a start, or an exit */
    private boolean expectingAnswers() {
        for (WorkerProcess worker : workers) {
            if (worker != null && worker.isAlive() && (!worker.inFlight.isEmpty()
                    || worker.state != WorkerProcess.State.READY || worker.shutdownSent
                    || worker.killReason != null)) {
                return true;
            }
        }
        return !retry.isEmpty();
    }

    private boolean allWorkersReady() {
        for (WorkerProcess worker : workers) {
            if (worker == null || worker.state != WorkerProcess.State.READY) {
                return false;
            }
        }
        return true;
    }

    private boolean allWorkersExited() {
        for (WorkerProcess worker : workers) {
            if (worker != null && worker.isAlive()) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- lifecycle

    private boolean progressShutdown() {
        if (!shutdownHandled) {
            shutdownHandled = true;
            for (ActiveCall call : calls) {
                if (call.call().isLazy()) {
                    call.call().stopReading();
                }
            }
        }
        if (workLeft() > 0) {
            return false;
        }
        boolean worked = false;
        out.reset();
        out.writeByte(Protocol.SHUTDOWN);
        for (WorkerProcess worker : workers) {
            if (worker != null && worker.isAlive() && !worker.shutdownSent) {
                worker.send(out.getBuffer(), out.position());
                worker.wake();
                worker.shutdownSent = true;
                worked = true;
            }
        }
        return worked;
    }

    private void terminateNow(long now) {
        if (!terminateHandled) {
            terminateHandled = true;
            terminateNanos = now;
            endAllCalls(new PoolException("the pool was terminated"));
            for (WorkerProcess worker : workers) {
                if (worker != null && worker.isAlive()) {
                    worker.kill("the pool was terminated");
                }
            }
        } else if ((now - terminateNanos) / 1_000_000 > EXIT_WAIT_AFTER_KILL_MS) {
            // SIGKILL always ends a process that exists; one still reported alive is beyond our reach.
            for (WorkerProcess worker : workers) {
                if (worker != null && worker.isAlive()) {
                    worker.state = WorkerProcess.State.EXITED;
                    worker.release();
                }
            }
        }
    }

    private void endAllCalls(PoolException failure) {
        drainIncoming(failure);
        for (ActiveCall call : calls) {
            call.call().end(failure);
        }
        calls.clear();
        callsById.clear();
        Chunk chunk;
        while ((chunk = retry.poll()) != null) {
            chunk.call().abandon(chunk);
        }
        if (!started.isDone()) {
            started.completeExceptionally(failure);
        }
    }

    /** The loop cannot go on: fail all work, kill all workers. */
    private void failEverything(PoolException failure) {
        endAllCalls(failure);
        for (WorkerProcess worker : workers) {
            if (worker != null) {
                for (WorkerProcess.InFlight sent : worker.inFlight) {
                    sent.chunk().call().end(failure);
                }
                if (worker.isAlive()) {
                    worker.kill(failure.getMessage());
                }
            }
        }
        terminateRequested = true;
    }

    private void cleanUp() {
        drainIncoming(new PoolException("the pool was shut down"));
        long deadline = System.nanoTime() + EXIT_WAIT_AFTER_KILL_MS * 1_000_000;
        for (WorkerProcess worker : workers) {
            if (worker == null) {
                continue;
            }
            if (worker.isAlive()) {
                worker.kill("the pool is closing");
                worker.awaitWatcher(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                worker.state = WorkerProcess.State.EXITED;
                launcher.exited(worker, false);
                worker.release();
            }
            worker.awaitWatcher(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        directory.delete();
    }
}
