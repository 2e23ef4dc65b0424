package io.procpool.cluster;

import com.esotericsoftware.kryo.io.Input;
import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.client.HazelcastClientOfflineException;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.launcher.internal.core.SlotChannel;
import io.procpool.launcher.internal.core.SlotEnd;
import io.procpool.launcher.internal.core.SlotReports;
import io.procpool.launcher.internal.core.WorkerSlot;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.ResultDecoder;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A cluster member as one slot of the pool's core: the {@link SlotChannel} over Hazelcast's executor. A chunk
 * crosses as a {@link ChunkTask} submitted to the member, its answer comes back on a Hazelcast thread, which queues
 * it and wakes the conductor, whose thread decodes it. What Hazelcast cannot say, this says: it cannot tell which
 * chunk a member runs ({@link #currentChunk()} is {@link #UNKNOWN}, so every chunk a lost member held counts as
 * started), may start queued chunks out of order (so it holds no more chunks than the member has workers, and they
 * answer in any order), and has no heartbeat (a member's loss is Hazelcast's to notice).
 */
final class MemberChannel implements SlotChannel {
    private static final int INITIAL_BYTES = 8192;
    private static final int MAX_KEPT_BYTES = 1 << 20;
    private static final int CANCELLED_NAMES = 16;

    private final Member member;
    private final IExecutorService executor;
    private final Serialization serialization;
    private final PoolCounters counters;
    private final Runnable wake;
    private final int workers;
    private final long pid;
    private final int port;
    /** Answers from Hazelcast's threads, for the conductor's. */
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    /** The chunks sent and not answered, by number, with their futures: to cancel them. */
    private final Map<Long, Sent> sent = new ConcurrentHashMap<>();
    private final AtomicReference<String> killReason = new AtomicReference<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The thread that holds the slot's serializer and buffer. */
    private final ValueSerializer values;
    private RawBitsOutput out = new RawBitsOutput(INITIAL_BYTES, -1);
    private ChunkTask prepared;
    private long preparedSeq;
    private Chunk preparedChunk;
    private Throwable itemFailure;
    private boolean readyReported;
    private volatile String lostWhy;
    private WorkerSlot slot;
    private Consumer<SlotEnd> onEnd;

    private record Answer(long seq, byte[] bytes, Throwable failure) {
    }

    private record Sent(Chunk chunk, Future<byte[]> future) {
    }

    /** Makes the channel of a member; the pool reads the member's answers through {@code classFilter}. */
    MemberChannel(Member member, IExecutorService executor, Serialization serialization, ClassFilter classFilter,
                  PoolCounters counters, Runnable wake) {
        this.member = member;
        this.executor = executor;
        this.serialization = serialization;
        this.counters = counters;
        this.wake = wake;
        this.workers = parse(member.getAttribute(HazelcastSetup.WORKERS_ATTRIBUTE), 1);
        this.pid = parse(member.getAttribute(HazelcastSetup.PID_ATTRIBUTE), -1);
        this.port = member.getAddress().getPort();
        this.values = MachineLocal.refusing(ValueSerializers.create(serialization, classFilter, null));
    }

    /** Binds the channel to its slot and to whom it tells of its end: once, as the conductor makes the slot. */
    WorkerSlot bind(int index, Consumer<SlotEnd> onEnd) {
        // Every chunk carries its function, so the core's mirror of the functions a slot holds means nothing here:
        // kept to one entry, not one per call for as long as the member lives.
        this.slot = new WorkerSlot(index, System.nanoTime(), this, 1);
        this.onEnd = onEnd;
        return slot;
    }

    Member member() {
        return member;
    }

    int port() {
        return port;
    }

    /** The member is gone, for {@code why}: its slot ends, and the chunks it held are decided by the core. */
    void lost(String why) {
        lostWhy = why;
        end(-1);
    }

    private void end(int exitCode) {
        if (ended.compareAndSet(false, true)) {
            onEnd.accept(new SlotEnd(slot, exitCode, null));
        }
    }

    @Override
    public int workers() {
        return workers;
    }

    /** Hazelcast's executor may start a member's queued tasks in another order: no more than it runs at once. */
    @Override
    public int maxChunksInFlight() {
        return workers;
    }

    @Override
    public boolean answersInOrder() {
        return false;
    }

    @Override
    public void wakeAhead() {
    }

    @Override
    public int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction) {
        out.reset();
        int unwritten = ChunkCodec.writeItems(values, out, chunk.items());
        if (unwritten >= 0) {
            itemFailure = ChunkCodec.takeItemFailure();
            return unwritten;
        }
        // The function travels with every chunk: a chunk is whole wherever it is sent again.
        prepared = new ChunkTask(serialization, chunk.firstIndex(), chunk.size(), call.functionBytes(), out.toBytes());
        preparedSeq = seq;
        preparedChunk = chunk;
        if (out.getBuffer().length > MAX_KEPT_BYTES) {
            out = new RawBitsOutput(INITIAL_BYTES, -1);
        }
        return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void sendPrepared() {
        ChunkTask task = prepared;
        long seq = preparedSeq;
        Chunk chunk = preparedChunk;
        prepared = null;
        counters.bytesToWorkers.add(task.size());
        Future<byte[]> future;
        try {
            future = executor.submitToMember(task, member);
        } catch (RuntimeException e) {
            answer(seq, null, e);
            return;
        }
        sent.put(seq, new Sent(chunk, future));
        ((CompletionStage<byte[]>) future).whenComplete((bytes, failure) -> answer(seq, bytes, failure));
        if (chunk.call().isCancelled()) {
            future.cancel(chunk.call().stopsRunning()); // cancelled while it was being sent
        }
    }

    /** A Hazelcast thread: the member answered, or Hazelcast says why it could not. */
    private void answer(long seq, byte[] bytes, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause != null && isMemberLoss(cause)) {
            lost(cause.toString());
            return;
        }
        answers.add(new Answer(seq, bytes, cause));
        wake.run();
    }

    @Override
    public SerializationException itemFailure(Chunk chunk, int index) {
        return KryoCodec.failure("could not serialise item " + (chunk.firstIndex() + index), chunk.items()[index],
                itemFailure);
    }

    /** A member is not told to leave: the pool stops the members it started once its core has stopped. */
    @Override
    public void sendShutdown() {
        end(0);
    }

    @Override
    public int poll(SlotReports reports, int maxMessages) {
        int read = 0;
        if (!readyReported) {
            readyReported = true;
            reports.ready(pid);
            read++;
        }
        Answer answer;
        while (read < maxMessages && (answer = answers.poll()) != null) {
            read++;
            Sent held = sent.remove(answer.seq());
            if (answer.failure() instanceof CancellationException
                    && (held == null || !held.chunk().call().hasEnded())) {
                continue; // cancelled by a kill: the slot's end decides what becomes of the chunk
            }
            Chunk chunk = reports.answering(answer.seq());
            if (answer.failure() instanceof CancellationException) {
                // Its call was cancelled: nothing ran, and nothing is owed (the call has ended).
                reports.answered(new ResultDecoder.Outcomes(new Object[chunk.size()], null, 0, true, 0, 0, 0), 0, 0);
            } else if (answer.failure() != null) {
                reports.failed(new PoolException(this + " could not run items " + range(chunk) + ": "
                        + answer.failure(), answer.failure()));
            } else {
                decode(reports, chunk, answer.bytes());
            }
        }
        return read;
    }

    private void decode(SlotReports reports, Chunk chunk, byte[] bytes) {
        long start = System.nanoTime();
        ResultDecoder.Outcomes outcomes;
        try {
            outcomes = ResultDecoder.decode(values, new Input(bytes), chunk, chunk.size());
        } catch (RuntimeException | LinkageError e) {
            values.reset();
            reports.failed(new SerializationException("could not read the outcomes of items " + range(chunk)
                    + " from " + this + ": " + e, e));
            return;
        }
        reports.answered(outcomes, bytes.length, System.nanoTime() - start);
    }

    @Override
    public void drain(SlotReports reports) {
        poll(reports, Integer.MAX_VALUE);
    }

    @Override
    public void beat(long nowNanos) {
    }

    @Override
    public long workerHeartbeatNanos() {
        return 0;
    }

    /** A member's end is seen through the cluster's membership, not a process of this JVM's. */
    @Override
    public boolean processEnded() {
        return false;
    }

    @Override
    public long itemStartedNanos() {
        return 0;
    }

    @Override
    public long currentChunk() {
        return UNKNOWN;
    }

    @Override
    public long currentItem() {
        return 0;
    }

    @Override
    public long skippedChunk() {
        return 0;
    }

    /** Hazelcast cancels a queued task whatever the flag; a running one is interrupted if its call says so. */
    @Override
    public void cancelCall(int index, long callId) {
        for (Sent held : sent.values()) {
            if (held.chunk().call().id() == callId) {
                held.future().cancel(held.chunk().call().stopsRunning());
            }
        }
    }

    @Override
    public int cancelledCallNames() {
        return CANCELLED_NAMES;
    }

    @Override
    public long pid() {
        return pid;
    }

    /** A member cannot be killed from here: its tasks are cancelled and the pool stops using it. */
    @Override
    public void kill(String reason) {
        killReason.compareAndSet(null, reason);
        for (Sent held : sent.values()) {
            held.future().cancel(true);
        }
        end(137);
    }

    @Override
    public String killReason() {
        return killReason.get();
    }

    @Override
    public WorkerCrashedException crashed(SlotEnd end, Chunk chunk, int attempts) {
        String why = killReason.get() != null ? "the pool stopped using it: " + killReason.get() : lostWhy;
        return new WorkerCrashedException(this + " was lost while it held items " + range(chunk)
                + (attempts > 1 ? ", on attempt " + attempts : "") + ": " + why, pid, -1);
    }

    @Override
    public PoolException startFailed(SlotEnd end, Throwable initFailure) {
        return new PoolException(this + " could not be used: " + lostWhy, initFailure);
    }

    @Override
    public void awaitWatcher(long millis) {
    }

    @Override
    public void release() {
        sent.clear();
    }

    private static String range(Chunk chunk) {
        return chunk.size() == 1 ? Long.toString(chunk.firstIndex())
                : chunk.firstIndex() + ".." + (chunk.firstIndex() + chunk.size() - 1);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static boolean isMemberLoss(Throwable cause) {
        return cause instanceof MemberLeftException || cause instanceof TargetNotMemberException
                || cause instanceof TargetDisconnectedException || cause instanceof HazelcastInstanceNotActiveException
                || cause instanceof HazelcastClientNotActiveException
                || cause instanceof HazelcastClientOfflineException;
    }

    private static int parse(String value, int otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** {@return {@code host:port}, as a user gives it, not Hazelcast's {@code [host]:port}} */
    static String address(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    @Override
    public String toString() {
        return "member " + address(member) + " (pid " + pid + ")";
    }
}
