package io.procpool.cluster;

import com.esotericsoftware.kryo.io.Input;
import com.google.errorprone.annotations.concurrent.GuardedBy;
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
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.ResultDecoder;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * A cluster pool's scheduler: which chunk goes to which member, and what becomes of the chunks a member held when
 * it is lost. Each member has room for as many chunks as it has workers: a chunk starts on a member as it arrives,
 * in the order sent (Hazelcast's executor may start queued tasks in another order than they were submitted, as its
 * operation threads hand them on), at the cost of a worker idling for a round trip between chunks, which the pool's
 * chunk size of about 10 ms keeps small. The member with the most room gets the next chunk; calls take turns; chunks
 * to send again go first. Outcomes, member events and sends after them run on the pool's event
 * thread; callers send the chunks of their own calls. State is guarded by {@code this}; bytes are made and read
 * outside it.
 */
final class Dispatcher {
    private static final int CHUNKS_PER_WORKER = 1;

    private final IExecutorService executor;
    private final Serialization serialization;
    private final int retries;
    private final PoolCounters stats;
    private final Executor events;
    private final Runnable onIdle;
    private final ThreadLocal<Codec> codecs;
    private final Map<Long, byte[]> functionBytes = new ConcurrentHashMap<>();

    @GuardedBy("this")
    private final List<Call> calls = new ArrayList<>();
    @GuardedBy("this")
    private final Map<UUID, MemberLink> links = new LinkedHashMap<>();
    @GuardedBy("this")
    private final ArrayDeque<Sent> resends = new ArrayDeque<>();
    /** Members seen that run another procpool version, for the error when no member is usable. */
    @GuardedBy("this")
    private final List<String> refused = new ArrayList<>();
    @GuardedBy("this")
    private int nextCall;
    @GuardedBy("this")
    private boolean terminated;

    Dispatcher(IExecutorService executor, Serialization serialization, int retries, PoolCounters stats,
               Executor events, Runnable onIdle) {
        this.executor = executor;
        this.serialization = serialization;
        this.retries = retries;
        this.stats = stats;
        this.events = events;
        this.onIdle = onIdle;
        this.codecs = ThreadLocal.withInitial(() -> new Codec(
                ValueSerializers.create(serialization, ClassFilter.ALLOW_ALL, null)));
    }

    synchronized void add(Call call) {
        calls.add(call);
    }

    /** {@return the workers of the members in use} */
    synchronized int workers() {
        int workers = 0;
        for (MemberLink link : links.values()) {
            workers += link.workers;
        }
        return workers;
    }

    synchronized Long[] memberPids() {
        return links.values().stream().map(link -> link.pid).toArray(Long[]::new);
    }

    /** {@return whether nothing is waiting or in flight} */
    synchronized boolean isIdle() {
        if (!resends.isEmpty()) {
            return false;
        }
        calls.removeIf(Call::isFinished);
        if (!calls.isEmpty()) {
            return false;
        }
        for (MemberLink link : links.values()) {
            if (!link.inFlight.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    void stopReadingLazyCalls() {
        List<Call> lazy = new ArrayList<>();
        synchronized (this) {
            for (Call call : calls) {
                if (call.isLazy()) {
                    lazy.add(call);
                }
            }
        }
        lazy.forEach(Call::stopReading);
    }

    /** {@return what was said of the members seen that run another procpool version, for a failure's message} */
    synchronized List<String> refused() {
        return new ArrayList<>(refused);
    }

    /**
     * Waits until {@code count} members of this version are in use, or the deadline passes, or the pool is
     * terminated.
     *
     * @param count         how many members are wanted
     * @param deadlineNanos when to give up, on {@link System#nanoTime()}'s clock
     * @return how many members are in use: {@code count} or more, unless it gave up
     * @throws PoolException if interrupted
     */
    synchronized int awaitMembers(int count, long deadlineNanos) {
        while (links.size() < count && !terminated) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolException("interrupted while waiting for the cluster's members", e);
            }
        }
        return links.size();
    }

    /**
     * Members joined, or were there when the pool connected: those of this procpool version are put in use and
     * their workers counted as started, all in one step, so that whoever waits for members (a pool's
     * {@code build()}) never finds some of them in use and the others not yet.
     */
    void membersAdded(Collection<Member> members) {
        synchronized (this) {
            if (terminated) {
                return;
            }
            for (Member member : members) {
                if (links.containsKey(member.getUuid())) {
                    continue;
                }
                String version = member.getAttribute(HazelcastSetup.VERSION_ATTRIBUTE);
                if (!HazelcastSetup.VERSION.equals(version)) {
                    refused.add("member " + address(member) + " runs procpool " + version + ", this pool runs "
                            + HazelcastSetup.VERSION + ": both sides must run the same version");
                    continue;
                }
                MemberLink link = new MemberLink(member);
                links.put(link.uuid, link);
                // Counted where the pool gains the workers, as memberLost counts them lost: a replacement, or a
                // member that joins later, counts as a ProcessPool's replacement worker does.
                stats.workersStarted.add(link.workers);
            }
            notifyAll();
        }
        dispatch();
    }

    /** A local member's process exited: the chunks it held are lost now, before the cluster notices. */
    void localMemberExited(LocalMember member) {
        UUID uuid = null;
        synchronized (this) {
            for (MemberLink link : links.values()) {
                if (link.port == member.port()) {
                    uuid = link.uuid;
                }
            }
        }
        if (uuid != null) {
            memberLost(uuid, "its process exited with code " + member.exited().getNow(-1)
                    + "; its last lines of standard error: " + member.lastErrorLines());
        }
    }

    /** The client lost every connection: what is in flight is lost with its members. */
    void disconnected() {
        List<UUID> all;
        synchronized (this) {
            all = new ArrayList<>(links.keySet());
        }
        all.forEach(uuid -> memberLost(uuid, "the pool lost its connection to the cluster"));
    }

    /** A member is gone: its chunks fail, or go to the others under retries. */
    void memberLost(UUID uuid, String why) {
        List<Sent> held;
        MemberLink link;
        synchronized (this) {
            link = links.remove(uuid);
            if (link == null) {
                return;
            }
            held = new ArrayList<>(link.inFlight);
            link.inFlight.clear();
        }
        stats.workersLost.add(link.workers);
        for (Sent sent : held) {
            lost(sent, why);
        }
        dispatch();
    }

    /** Stops reading and sending: every unfinished call fails, running chunks on members are cancelled. */
    void terminate(PoolException failure) {
        List<Call> toEnd;
        List<Sent> running = new ArrayList<>();
        synchronized (this) {
            terminated = true;
            toEnd = new ArrayList<>(calls);
            calls.clear();
            resends.clear();
            for (MemberLink link : links.values()) {
                running.addAll(link.inFlight);
                link.inFlight.clear();
            }
            notifyAll();
        }
        toEnd.forEach(call -> call.end(failure));
        for (Sent sent : running) {
            sent.chunk.call().fail(sent.chunk, failure);
            Future<byte[]> future = sent.future;
            if (future != null) {
                future.cancel(true);
            }
        }
    }

    /**
     * A call was cancelled: its chunks still queued on members never start, and the running ones are interrupted
     * if the call says so. Hazelcast's executor cancels a queued task whatever the flag.
     */
    void cancelled(Call call) {
        List<Future<byte[]>> toCancel = new ArrayList<>();
        synchronized (this) {
            resends.removeIf(sent -> sent.chunk.call() == call);
            for (MemberLink link : links.values()) {
                for (Sent sent : link.inFlight) {
                    if (sent.chunk.call() == call && sent.future != null) {
                        toCancel.add(sent.future);
                    }
                }
            }
        }
        boolean interrupt = call.stopsRunning();
        toCancel.forEach(future -> future.cancel(interrupt));
        dispatch();
    }

    /** Sends chunks while members have room: resends first, then the calls' next chunks in turn. */
    void dispatch() {
        List<Sent> toSend = new ArrayList<>();
        synchronized (this) {
            if (terminated) {
                return;
            }
            MemberLink link;
            while ((link = mostRoom()) != null) {
                Sent sent = next(link);
                if (sent == null) {
                    break;
                }
                link.inFlight.add(sent);
                toSend.add(sent);
            }
            calls.removeIf(call -> {
                if (call.isFinished()) {
                    functionBytes.remove(call.id());
                    return true;
                }
                return false;
            });
        }
        for (Sent sent : toSend) {
            send(sent);
        }
        if (toSend.isEmpty()) {
            onIdle.run();
        }
    }

    @GuardedBy("this")
    private MemberLink mostRoom() {
        MemberLink best = null;
        for (MemberLink link : links.values()) {
            int room = link.maxInFlight - link.inFlight.size();
            if (room > 0 && (best == null || room > best.maxInFlight - best.inFlight.size())) {
                best = link;
            }
        }
        return best;
    }

    @GuardedBy("this")
    private Sent next(MemberLink link) {
        Sent resend;
        while ((resend = resends.poll()) != null) {
            if (!resend.chunk.call().hasEnded()) {
                return new Sent(resend.chunk, link, resend.attempt);
            }
        }
        for (int tried = 0; tried < calls.size(); tried++) {
            Call call = calls.get(nextCall++ % calls.size());
            Chunk chunk = call.nextChunk();
            if (chunk != null) {
                return new Sent(chunk, link, 0);
            }
        }
        return null;
    }

    private void send(Sent sent) {
        Chunk chunk = sent.chunk;
        long start = System.nanoTime();
        ChunkTask task;
        try {
            task = encode(chunk);
        } catch (PoolException e) {
            settle(sent);
            if (sent.attempt == 0) {
                stats.tasksSubmitted.add(chunk.size());
                stats.tasksCompleted.add(chunk.size());
                stats.tasksFailed.add(chunk.size());
            }
            chunk.call().fail(chunk, e);
            dispatch();
            return;
        }
        if (sent.attempt == 0) {
            stats.tasksSubmitted.add(chunk.size());
        }
        stats.bytesToWorkers.add(task.size());
        stats.parentSerializeNanos.add(System.nanoTime() - start);
        sent.sentNanos = System.nanoTime();
        Future<byte[]> future;
        try {
            future = executor.submitToMember(task, sent.link.member);
        } catch (RuntimeException e) {
            events.execute(() -> completed(sent, null, e));
            return;
        }
        sent.future = future;
        ((CompletionStage<byte[]>) future).whenCompleteAsync((bytes, failure) -> completed(sent, bytes, failure),
                events);
        if (chunk.call().isCancelled()) {
            future.cancel(chunk.call().stopsRunning()); // cancelled while it was being sent
        }
    }

    private ChunkTask encode(Chunk chunk) {
        Call call = chunk.call();
        byte[] function = functionBytes.computeIfAbsent(call.id(),
                id -> ValueSerializers.toBytes(serialization, call.fn(), "the function"));
        Codec codec = codecs.get();
        RawBitsOutput out = codec.out;
        out.reset();
        int unwritten = ChunkCodec.writeItems(codec.values, out, chunk.items());
        if (unwritten >= 0) {
            throw KryoCodec.failure("could not serialise item " + (chunk.firstIndex() + unwritten),
                    chunk.items()[unwritten], ChunkCodec.takeItemFailure());
        }
        byte[] items = out.toBytes();
        codec.shrink();
        return new ChunkTask(serialization, chunk.firstIndex(), chunk.size(), function, items);
    }

    /** {@return whether the chunk was still in flight, now settled by the caller} */
    private synchronized boolean settle(Sent sent) {
        return sent.link.inFlight.remove(sent);
    }

    /** A member answered, or Hazelcast says why it could not: on the event thread. */
    private void completed(Sent sent, byte[] bytes, Throwable failure) {
        if (!settle(sent)) {
            return; // its member was lost first, and that settled it
        }
        Chunk chunk = sent.chunk;
        Throwable cause = unwrap(failure);
        if (cause == null) {
            deliver(sent, bytes);
        } else if (cause instanceof CancellationException) {
            chunk.call().fail(chunk, new PoolException("its call was cancelled"));
        } else if (isMemberLoss(cause)) {
            memberLost(sent.link.uuid, cause.toString());
            lost(sent, cause.toString());
        } else {
            stats.tasksCompleted.add(chunk.size());
            stats.tasksFailed.add(chunk.size());
            chunk.call().fail(chunk, new PoolException(sent.link + " could not run items " + range(chunk) + ": "
                    + cause, cause));
        }
        dispatch();
    }

    private void deliver(Sent sent, byte[] bytes) {
        Chunk chunk = sent.chunk;
        long start = System.nanoTime();
        Codec codec = codecs.get();
        ResultDecoder.Outcomes outcomes;
        try {
            outcomes = ResultDecoder.decode(codec.values, new Input(bytes), chunk, chunk.size());
        } catch (RuntimeException | LinkageError e) {
            codec.values.reset();
            stats.tasksCompleted.add(chunk.size());
            stats.tasksFailed.add(chunk.size());
            chunk.call().fail(chunk, new SerializationException("could not read the outcomes of items "
                    + range(chunk) + " from " + sent.link + ": " + e, e));
            return;
        }
        long now = System.nanoTime();
        stats.parentDeserializeNanos.add(now - start);
        stats.roundTripNanos.add(now - sent.sentNanos);
        stats.bytesFromWorkers.add(bytes.length);
        stats.chunksCompleted.increment();
        stats.tasksCompleted.add(chunk.size());
        stats.tasksFailed.add(outcomes.failedCount());
        if (outcomes.timingsRead()) {
            stats.workerDeserializeNanos.add(outcomes.deserializeNanos());
            stats.workerExecuteNanos.add(outcomes.executeNanos());
            stats.workerSerializeNanos.add(outcomes.serializeNanos());
            chunk.call().chunkTimed(chunk.size(), outcomes.executeNanos());
        }
        chunk.call().complete(chunk, outcomes.values(), outcomes.failures());
    }

    /** A chunk whose member was lost: sent again under retries, else failed naming the member. */
    private void lost(Sent sent, String why) {
        Chunk chunk = sent.chunk;
        synchronized (this) {
            if (!terminated && sent.attempt < retries && !chunk.call().hasEnded()) {
                resends.add(new Sent(chunk, sent.link, sent.attempt + 1));
                return;
            }
        }
        stats.tasksCompleted.add(chunk.size());
        stats.tasksFailed.add(chunk.size());
        chunk.call().fail(chunk, new WorkerCrashedException(sent.link + " was lost while it held items "
                + range(chunk) + (sent.attempt > 0 ? ", on attempt " + (sent.attempt + 1) : "") + ": " + why,
                sent.link.pid, -1));
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

    /** {@return {@code host:port}, as a user gives it, not Hazelcast's {@code [host]:port}} */
    private static String address(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    private static boolean isMemberLoss(Throwable cause) {
        return cause instanceof MemberLeftException || cause instanceof TargetNotMemberException
                || cause instanceof TargetDisconnectedException || cause instanceof HazelcastInstanceNotActiveException
                || cause instanceof HazelcastClientNotActiveException
                || cause instanceof HazelcastClientOfflineException;
    }

    /** A member in use: its room for chunks and the chunks it holds. Guarded by the dispatcher. */
    private static final class MemberLink {
        final Member member;
        final UUID uuid;
        final int workers;
        final int maxInFlight;
        final long pid;
        final int port;
        final Set<Sent> inFlight = new LinkedHashSet<>();

        MemberLink(Member member) {
            this.member = member;
            this.uuid = member.getUuid();
            this.workers = parse(member.getAttribute(HazelcastSetup.WORKERS_ATTRIBUTE), 1);
            this.maxInFlight = CHUNKS_PER_WORKER * workers;
            this.pid = parse(member.getAttribute(HazelcastSetup.PID_ATTRIBUTE), -1);
            this.port = member.getAddress().getPort();
        }

        private static int parse(String value, int otherwise) {
            try {
                return value == null ? otherwise : Integer.parseInt(value);
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }

        @Override
        public String toString() {
            return "member " + address(member) + " (pid " + pid + ")";
        }
    }

    /** A chunk sent to a member, on its {@code attempt}-th resend. */
    private static final class Sent {
        final Chunk chunk;
        final MemberLink link;
        final int attempt;
        volatile Future<byte[]> future;
        long sentNanos;

        Sent(Chunk chunk, MemberLink link, int attempt) {
            this.chunk = chunk;
            this.link = link;
            this.attempt = attempt;
        }
    }

    /** One thread's serializer and buffer. */
    private static final class Codec {
        private static final int INITIAL_BYTES = 8192;
        private static final int MAX_KEPT_BYTES = 1 << 20;

        final ValueSerializer values;
        RawBitsOutput out = new RawBitsOutput(INITIAL_BYTES, -1);

        Codec(ValueSerializer values) {
            this.values = values;
        }

        void shrink() {
            if (out.getBuffer().length > MAX_KEPT_BYTES) {
                out = new RawBitsOutput(INITIAL_BYTES, -1);
            }
        }
    }
}
