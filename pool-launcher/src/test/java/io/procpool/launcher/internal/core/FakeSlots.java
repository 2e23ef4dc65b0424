package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.Chunk;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.protocol.ResultDecoder;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Slots whose workers the test plays: a {@link SlotFactory} that makes {@link Channel}s, each of which records what
 * the core asks of it and reports what the test tells it to, on the conductor's thread as a real channel does. No
 * JVM is started; a clock the test moves stands in for time.
 */
final class FakeSlots implements SlotFactory {
    /** How long a test waits for the conductor to act: long, since a failure only costs this once. */
    static final long WAIT_SECONDS = 10;

    /** The supervisor's clock, moved by the test. */
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** Every channel made, in order: replacements are added. */
    final List<Channel> channels = new CopyOnWriteArrayList<>();
    /** Failed starts to come: the next so many channels end before they are ready. */
    volatile int startsToFail;
    /** The factory's calls, in order: {@code start 0}, {@code after 0} (its set-up after the launch). */
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Integer> setUp = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> started = new LinkedBlockingQueue<>();

    @Override
    public WorkerSlot start(int index, Consumer<SlotEnd> onEnd) {
        calls.add("start " + index);
        Channel channel = new Channel(index);
        WorkerSlot slot = new WorkerSlot(index, now.get(), channel, Protocol.MAX_FUNCTIONS_PER_WORKER);
        channel.slot = slot;
        channel.onEnd = onEnd;
        channels.add(channel);
        if (startsToFail > 0) {
            startsToFail--;
            channel.end(1);
        }
        started.add(channel);
        return slot;
    }

    @Override
    public void afterLaunch(WorkerSlot slot) {
        calls.add("after " + slot.index());
        setUp.add(slot.index());
    }

    /** @return the index of the next slot set up after its launch, waiting for it */
    int nextSetUp() throws InterruptedException {
        Integer index = setUp.poll(WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        if (index == null) {
            throw new AssertionError("no slot was set up after its launch within " + WAIT_SECONDS + " s");
        }
        return index;
    }

    @Override
    public void ended(WorkerSlot slot, boolean normally) {
    }

    @Override
    public void checkResources() {
    }

    @Override
    public void close() {
    }

    /** @return the next channel the conductor starts, waiting for it */
    Channel nextStarted() throws InterruptedException {
        Channel channel = started.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(channel, "the conductor started no worker");
        return channel;
    }

    /** A chunk the core sent, as the fake worker holds it. */
    record Sent(long seq, Chunk chunk) {
    }

    /** One slot's fake transport; {@code SchedulerTest}'s recording channel extends it. */
    static class Channel implements SlotChannel {
        final int index;
        WorkerSlot slot;
        Consumer<SlotEnd> onEnd;
        /** Chunks sent to it, in order. */
        final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        /** Calls named to it as cancelled. */
        final List<Long> cancelledCalls = new CopyOnWriteArrayList<>();
        final AtomicLong shutdowns = new AtomicLong();
        /** How often the core gave it its deferred set-up ({@link SlotChannel#settle()}). */
        final AtomicLong settles = new AtomicLong();
        volatile String killReason;
        volatile long currentChunk;
        volatile long currentItem;
        volatile long itemStartedNanos;
        volatile long heartbeatNanos;
        volatile boolean ended;
        private final Queue<Consumer<SlotReports>> reports = new ConcurrentLinkedQueue<>();
        private Sent prepared;

        Channel(int index) {
            this.index = index;
        }

        /** The worker says it is ready. */
        void ready() {
            reports.add(r -> r.ready(1000 + index));
        }

        /** The worker answers the chunk numbered {@code seq}: each item's value is {@code answer} of the item. */
        void answer(long seq, java.util.function.Function<Object, Object> answer) {
            reports.add(r -> {
                Chunk chunk = r.answering(seq);
                Object[] values = new Object[chunk.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = answer.apply(chunk.items()[i]);
                }
                r.answered(new ResultDecoder.Outcomes(values, null, 0, true, 1, 1, 1), 8, 1);
            });
        }

        /** The worker's process ends with {@code exitCode}. */
        void end(int exitCode) {
            ended = true;
            onEnd.accept(new SlotEnd(slot, exitCode, null));
        }

        /** @return the next chunk the core sends here, waiting for it */
        Sent nextSent() throws InterruptedException {
            Sent next = sent.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(next, "no chunk was sent to worker " + index);
            return next;
        }

        @Override
        public void wakeAhead() {
        }

        /** How many calls of {@link #settle()} it takes to say it is done. */
        volatile int settlesUntilDone = 1;

        @Override
        public boolean settle() {
            return settles.incrementAndGet() >= settlesUntilDone;
        }

        @Override
        public int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction) {
            prepared = new Sent(seq, chunk);
            return -1;
        }

        @Override
        public void sendPrepared() {
            sent.add(prepared);
        }

        @Override
        public SerializationException itemFailure(Chunk chunk, int index) {
            return new SerializationException("item " + index);
        }

        @Override
        public void sendShutdown() {
            shutdowns.incrementAndGet();
        }

        @Override
        public int poll(SlotReports to, int maxMessages) {
            int read = 0;
            Consumer<SlotReports> report;
            while (read < maxMessages && (report = reports.poll()) != null) {
                report.accept(to);
                read++;
            }
            return read;
        }

        @Override
        public void drain(SlotReports to) {
            poll(to, Integer.MAX_VALUE);
        }

        /** The time of the conductor's last supervision of this slot, which beats every live slot. */
        volatile long lastBeatNanos;

        @Override
        public void beat(long nowNanos) {
            lastBeatNanos = nowNanos;
        }

        @Override
        public long workerHeartbeatNanos() {
            return heartbeatNanos;
        }

        @Override
        public boolean processEnded() {
            return false;
        }

        @Override
        public long itemStartedNanos() {
            return itemStartedNanos;
        }

        @Override
        public long currentChunk() {
            return currentChunk;
        }

        @Override
        public long currentItem() {
            return currentItem;
        }

        @Override
        public long skippedChunk() {
            return 0;
        }

        @Override
        public void cancelCall(int name, long callId) {
            cancelledCalls.add(callId);
        }

        @Override
        public int cancelledCallNames() {
            return 4;
        }

        @Override
        public long pid() {
            return 1000 + index;
        }

        @Override
        public void kill(String reason) {
            if (killReason == null) {
                killReason = reason;
            }
        }

        @Override
        public String killReason() {
            return killReason;
        }

        @Override
        public WorkerCrashedException crashed(SlotEnd end, Chunk chunk, int attempts) {
            return new WorkerCrashedException("worker " + index + " ended with " + end.exitCode() + " (attempt "
                    + attempts + ")", pid(), end.exitCode());
        }

        @Override
        public PoolException startFailed(SlotEnd end, Throwable initFailure) {
            return new PoolException("worker " + index + " failed to start: exit " + end.exitCode());
        }

        @Override
        public void awaitWatcher(long millis) {
        }

        @Override
        public void release() {
        }
    }
}
