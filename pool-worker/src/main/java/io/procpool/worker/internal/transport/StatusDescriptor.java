package io.procpool.worker.internal.transport;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The layout of a worker's status file: a few words of shared memory that both sides read and write without a
 * message. The parent reads it to time out a late item, to know exactly which chunk a dead worker was running and
 * whether a worker is asleep and must be woken; the worker reads the parent's heartbeat. Times are
 * {@link System#nanoTime()}, which on Linux and macOS reads a clock shared by all processes of the machine.
 *
 * <pre>
 *   line 0 (bytes   0- 63)  magic:int  version:int                          written once, by the parent
 *                           futexWakes:int                                  the parent, once it can
 *   line 1 (bytes  64-127)  parentHeartbeat  cancelledCalls[7]              the parent's loop thread
 *   line 2 (bytes 128-191)  currentChunk  currentItem  itemStarted  sleep  skippedChunk
 *                                                                           the worker's main thread
 *                           wakeWord:int                                    the worker as it sleeps; the
 *                                                                           parent as it wakes it
 *                           futexWakeUps                                    the worker's main thread
 *   line 3 (bytes 192-255)  workerHeartbeat                                 the worker's watch thread
 *                           queuesOpen                                      the worker's queue opener, once
 * </pre>
 *
 * Each writer has a cache line of its own, so a heartbeat does not invalidate the line the other side polls.
 * {@code wakeWord} is a futex ({@link Futex}): a worker that sleeps on it sets it to 1 and the parent, to wake it,
 * sets it to 0 and wakes the futex; it sleeps so only once the parent said it can wake it so ({@code futexWakes}),
 * and until then blocks on its stdin, where the parent writes a byte.
 * {@code cancelledCalls} holds the last few cancelled calls with chunks queued in the worker: it skips their
 * chunks instead of starting them (see {@link #isCancelled(long)}).
 */
public final class StatusDescriptor implements AutoCloseable {
    /** Bumped whenever the layout changes; a worker refuses a file of another version. */
    public static final int VERSION = 6;
    /** How many cancelled calls the parent can name at once; an older one's name is overwritten by a newer. */
    public static final int CANCELLED_SLOTS = 7;
    private static final int MAGIC = 0x70706F6F; // "ppoo"
    private static final int LINE = 64;
    private static final int FILE_BYTES = 4 * LINE;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int FUTEX_WAKES = 8;
    private static final int PARENT_HEARTBEAT = LINE;
    private static final int CANCELLED_CALLS = LINE + 8;
    private static final int CURRENT_CHUNK = 2 * LINE;
    private static final int CURRENT_ITEM = 2 * LINE + 8;
    private static final int ITEM_STARTED = 2 * LINE + 16;
    private static final int SLEEP = 2 * LINE + 24;
    private static final int SKIPPED_CHUNK = 2 * LINE + 32;
    private static final int WAKE_WORD = 2 * LINE + 40;
    private static final int FUTEX_WAKE_UPS = 2 * LINE + 48;
    private static final int WORKER_HEARTBEAT = 3 * LINE;
    private static final int QUEUES_OPEN = 3 * LINE + 8;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    /** Worker side: how many times this worker has gone to sleep. */
    private long sleeps;
    /**
     * {@link #WAKE_WORD} as a futex, made on first use (JNA's classes load then) by {@link #wakeWord()}: on the
     * worker's side both its main thread, which sleeps on it, and an exiting thread, which wakes it, may be first.
     */
    @com.google.errorprone.annotations.concurrent.GuardedBy("this")
    private Futex.Word wakeWord;

    private StatusDescriptor(FileChannel channel, MappedByteBuffer buffer) {
        this.channel = channel;
        this.buffer = buffer;
    }

    /**
     * Parent side: creates and maps the status file, stamped with this layout's version.
     *
     * @param file where the status file goes
     * @return the mapped file, to be closed by the caller
     * @throws IOException if the file cannot be created or mapped
     */
    public static StatusDescriptor create(Path file) throws IOException {
        StatusDescriptor descriptor = map(file);
        INTS.setRelease(descriptor.buffer, VERSION_OFFSET, VERSION);
        INTS.setRelease(descriptor.buffer, MAGIC_OFFSET, MAGIC);
        return descriptor;
    }

    /**
     * Worker side: maps the status file the parent created.
     *
     * @param file the status file
     * @return the mapped file, to be closed by the caller
     * @throws IOException if the file is missing, or not of this layout's version (a worker of another procpool)
     */
    public static StatusDescriptor open(Path file) throws IOException {
        StatusDescriptor descriptor = map(file);
        int magic = (int) INTS.getAcquire(descriptor.buffer, MAGIC_OFFSET);
        int version = (int) INTS.getAcquire(descriptor.buffer, VERSION_OFFSET);
        if (magic != MAGIC || version != VERSION) {
            descriptor.close();
            throw new IOException("the status file " + file + " has version " + version + " (magic "
                    + Integer.toHexString(magic) + "); this worker reads version " + VERSION
                    + ": the parent runs another procpool version");
        }
        return descriptor;
    }

    private static StatusDescriptor map(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
            return new StatusDescriptor(channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Worker side: item {@code index} of chunk {@code chunkSeq} starts now.
     *
     * @param chunkSeq the chunk's sequence number
     * @param index    the item's index within its call
     * @param nowNanos the time now, from {@link System#nanoTime()}
     */
    public void itemStarted(long chunkSeq, long index, long nowNanos) {
        LONGS.setOpaque(buffer, CURRENT_ITEM, index);
        LONGS.setRelease(buffer, CURRENT_CHUNK, chunkSeq);
        LONGS.setRelease(buffer, ITEM_STARTED, nowNanos);
    }

    /**
     * Worker side: chunk {@code chunkSeq} was received and is about to be decoded. Said before decoding, so that a
     * worker that dies rebuilding the chunk or its function (out of memory, a static initializer that exits) is
     * blamed on that chunk, which then fails or is retried a bounded number of times, instead of being taken for
     * never started and sent again to every replacement for ever.
     *
     * @param chunkSeq the chunk's sequence number
     */
    public void chunkReceived(long chunkSeq) {
        LONGS.setRelease(buffer, CURRENT_CHUNK, chunkSeq);
    }

    /**
     * Worker side, after {@link #chunkReceived}: whether the parent named the chunk's call as cancelled, so that the
     * chunk must be skipped. The full fence orders the chunk's number, stored before, ahead of this look at the
     * names: with the parent's fence between naming a call and reading {@link #currentChunk()}, either the worker
     * sees the name or the parent sees the chunk started (and stops it as a running one).
     *
     * @param callId the call of the chunk about to start
     * @return whether the parent named that call as cancelled
     */
    public boolean isCancelled(long callId) {
        VarHandle.fullFence();
        for (int slot = 0; slot < CANCELLED_SLOTS; slot++) {
            if ((long) LONGS.getAcquire(buffer, CANCELLED_CALLS + 8 * slot) == callId) {
                return true;
            }
        }
        return false;
    }

    /**
     * Worker side: chunk {@code chunkSeq} was skipped, its call having been cancelled; it never started.
     *
     * @param chunkSeq the chunk's number
     */
    public void skipped(long chunkSeq) {
        LONGS.setRelease(buffer, SKIPPED_CHUNK, chunkSeq);
    }

    /**
     * Parent side: names a cancelled call whose chunks the worker must skip, in {@code slot} (taken in turn by the
     * caller), then fences, so that a {@link #currentChunk()} read next is not ordered before the name.
     *
     * @param slot   which name to overwrite, modulo {@link #CANCELLED_SLOTS}
     * @param callId the cancelled call
     */
    public void cancelCall(int slot, long callId) {
        LONGS.setVolatile(buffer, CANCELLED_CALLS + 8 * (slot % CANCELLED_SLOTS), callId);
        VarHandle.fullFence();
    }

    /** {@return the chunk the worker skipped last, its call having been cancelled; 0 before the first} */
    public long skippedChunk() {
        return (long) LONGS.getAcquire(buffer, SKIPPED_CHUNK);
    }

    /** Worker side: no item is running. */
    public void idle() {
        LONGS.setRelease(buffer, ITEM_STARTED, 0L);
    }

    /**
     * Worker side: about to sleep until woken. Each sleep has a number of its own, so that the parent writes one
     * wake-up per sleep however often it looks (see {@link #currentSleep()}). Going to sleep is a full fence, so
     * that the worker's next look at its queue cannot be ordered before this store: with the parent's fence between
     * its write to the queue and its read of this word, either the worker sees the message or the parent sees it
     * asleep and wakes it (Dekker's handshake). It says how it will sleep: on its wake word, which the parent then
     * clears and wakes ({@link #wakeFromFutex()}), or on its stdin. The word is set before the sleep's number, so
     * that a parent that reads the number sees how to wake that sleep.
     *
     * @param onFutex whether it will sleep on its wake word ({@link #mayWaitOnFutex()} said it may)
     */
    public void asleep(boolean onFutex) {
        INTS.setVolatile(buffer, WAKE_WORD, onFutex ? 1 : 0);
        LONGS.setVolatile(buffer, SLEEP, ++sleeps);
        VarHandle.fullFence(); // a volatile store alone does not order the ring's acquiring load after it
    }

    /** Worker side: awake again. */
    public void awake() {
        LONGS.setVolatile(buffer, SLEEP, 0L);
        INTS.setVolatile(buffer, WAKE_WORD, 0);
    }

    /**
     * Binds futex wake-ups in this JVM ({@link Futex#load()}), once: on a thread where its cost does not matter.
     *
     * @return whether this JVM can sleep on, or wake, a futex
     */
    public static boolean bindFutex() {
        return Futex.load();
    }

    /**
     * Parent side, once this JVM has bound futex wake-ups ({@link #bindFutex()}): tells the worker it may sleep on
     * its wake word, which this side will clear and wake.
     *
     * @return whether it told it: {@code false} if this JVM has no futex wake-ups
     */
    public boolean offerFutexWakes() {
        if (!Futex.available()) {
            return false;
        }
        INTS.setVolatile(buffer, FUTEX_WAKES, 1);
        return true;
    }

    /** {@return worker side: whether both this JVM and the parent can use the futex, so that it may sleep on it} */
    public boolean mayWaitOnFutex() {
        return Futex.available() && (int) INTS.getVolatile(buffer, FUTEX_WAKES) == 1;
    }

    /**
     * Worker side, after {@link #asleep(boolean) asleep(true)} and a last look at its queue: sleeps on the wake word
     * until the parent clears it, at most {@code timeoutNanos}.
     *
     * @return whether the parent cleared it (woke the worker); {@code false} on a timeout or an early return
     */
    public boolean awaitWake(long timeoutNanos) {
        wakeWord().await(1, timeoutNanos);
        if ((int) INTS.getVolatile(buffer, WAKE_WORD) == 1) {
            return false;
        }
        LONGS.setRelease(buffer, FUTEX_WAKE_UPS, (long) LONGS.getOpaque(buffer, FUTEX_WAKE_UPS) + 1);
        return true;
    }

    private synchronized Futex.Word wakeWord() {
        if (wakeWord == null) {
            wakeWord = new Futex.Word(buffer, WAKE_WORD);
        }
        return wakeWord;
    }

    /** {@return how many times the parent woke this worker from its wake word: what shows the futex at work} */
    public long futexWakeUps() {
        return (long) LONGS.getAcquire(buffer, FUTEX_WAKE_UPS);
    }

    /** {@return parent side: whether the worker sleeps now, on its wake word} */
    public boolean sleepsOnFutex() {
        return currentSleep() != 0 && (int) INTS.getVolatile(buffer, WAKE_WORD) == 1;
    }

    /**
     * Parent side, once {@link #currentSleep()} said the worker sleeps: wakes it if that sleep is on its wake word.
     * The worker's own exit calls it too, to bring its main thread out of native code before the JVM halts.
     *
     * @return {@code true} if the sleep was on the wake word (now cleared and woken, or already cleared by the
     * worker's waking); {@code false} if the worker sleeps on its stdin, to be sent a byte
     */
    public boolean wakeFromFutex() {
        if (!Futex.available() || (int) INTS.getVolatile(buffer, WAKE_WORD) != 1) {
            return false;
        }
        if (INTS.compareAndSet(buffer, WAKE_WORD, 1, 0)) {
            wakeWord().wakeOne();
        }
        return true;
    }

    /**
     * Parent side, before or after writing to the worker's queue: whether the worker sleeps and must be woken.
     *
     * @return the number of the sleep the worker is in, or about to begin; 0 while it is awake
     */
    public long currentSleep() {
        VarHandle.fullFence();
        return (long) LONGS.getVolatile(buffer, SLEEP);
    }

    /**
     * Worker side: still alive.
     *
     * @param nowNanos the time now, from {@link System#nanoTime()}
     */
    public void workerHeartbeat(long nowNanos) {
        LONGS.setRelease(buffer, WORKER_HEARTBEAT, nowNanos);
    }

    /**
     * Parent side: still alive.
     *
     * @param nowNanos the time now, from {@link System#nanoTime()}
     */
    public void parentHeartbeat(long nowNanos) {
        LONGS.setRelease(buffer, PARENT_HEARTBEAT, nowNanos);
    }

    /**
     * Parent side: reads when the running item started, to time it out.
     *
     * @return when the running item started, or 0 when none is running or items are not tracked
     */
    public long itemStartedNanos() {
        return (long) LONGS.getAcquire(buffer, ITEM_STARTED);
    }

    /**
     * Parent side: reads which chunk the worker holds, to know what a dead worker took with it.
     *
     * @return the sequence number of the chunk the worker most recently received; 0 before the first. Chunks are
     * numbered from 1 and each worker runs its chunks in the order they were sent, so a chunk sent to it with a
     * higher number has not started.
     */
    public long currentChunk() {
        return (long) LONGS.getAcquire(buffer, CURRENT_CHUNK);
    }

    /**
     * Parent side: reads which item the worker started last, to name the item that ran past the task timeout.
     *
     * @return the index, within its call, of the item most recently started
     */
    public long currentItem() {
        return (long) LONGS.getOpaque(buffer, CURRENT_ITEM);
    }

    /**
     * Parent side: reads the worker's heartbeat, to find a worker that is stuck.
     *
     * @return the worker's last heartbeat, or 0 before the first
     */
    public long workerHeartbeatNanos() {
        return (long) LONGS.getAcquire(buffer, WORKER_HEARTBEAT);
    }

    /**
     * Worker side: reads the parent's heartbeat, to exit once the parent is gone.
     *
     * @return the parent's last heartbeat, or 0 before the first
     */
    public long parentHeartbeatNanos() {
        return (long) LONGS.getAcquire(buffer, PARENT_HEARTBEAT);
    }

    /**
     * Worker side: says when its Chronicle queues were open, for the pool's start-up breakdown; they open beside
     * the worker's first messages, often after its READY.
     *
     * @param epochMicros when ({@link io.procpool.worker.internal.protocol.Protocol#epochMicros})
     */
    public void queuesOpen(long epochMicros) {
        LONGS.setRelease(buffer, QUEUES_OPEN, epochMicros);
    }

    /**
     * {@return when the worker's Chronicle queues were open
     * ({@link io.procpool.worker.internal.protocol.Protocol#epochMicros}), or 0 before}
     */
    public long queuesOpenMicros() {
        return (long) LONGS.getAcquire(buffer, QUEUES_OPEN);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
