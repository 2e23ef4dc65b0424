package io.procpool.worker;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A few words of shared memory per worker, in the worker's directory: what the worker is running right now, and
 * heartbeats both ways. The parent reads it to time out a late task and to know exactly which chunk a dead worker
 * was running; the worker reads the parent's heartbeat. Times are {@link System#nanoTime()}, which on Linux and
 * macOS reads a clock shared by all processes of the machine.
 */
public final class WorkerStatus implements AutoCloseable {
    private static final int FILE_BYTES = 64;
    private static final int WORKER_HEARTBEAT = 0;
    private static final int PARENT_HEARTBEAT = 8;
    private static final int CURRENT_CHUNK = 16;
    private static final int CURRENT_ITEM = 24;
    private static final int ITEM_STARTED = 32;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());

    private final FileChannel channel;
    private final MappedByteBuffer buffer;

    private WorkerStatus(FileChannel channel, MappedByteBuffer buffer) {
        this.channel = channel;
        this.buffer = buffer;
    }

    /**
     * Maps the status file, creating it if needed.
     */
    public static WorkerStatus open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
            return new WorkerStatus(channel, buffer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Worker side: item {@code index} of chunk {@code chunkSeq} starts now. */
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
     */
    public void chunkReceived(long chunkSeq) {
        LONGS.setRelease(buffer, CURRENT_CHUNK, chunkSeq);
    }

    /** Worker side: no item is running. */
    public void idle() {
        LONGS.setRelease(buffer, ITEM_STARTED, 0L);
    }

    /** Worker side: still alive. */
    public void workerHeartbeat(long nowNanos) {
        LONGS.setRelease(buffer, WORKER_HEARTBEAT, nowNanos);
    }

    /** Parent side: still alive. */
    public void parentHeartbeat(long nowNanos) {
        LONGS.setRelease(buffer, PARENT_HEARTBEAT, nowNanos);
    }

    /** @return when the running item started, or 0 when none is running */
    public long itemStartedNanos() {
        return (long) LONGS.getAcquire(buffer, ITEM_STARTED);
    }

    /**
     * @return the sequence number of the chunk the worker most recently started an item of; 0 before the first.
     * Chunks are numbered from 1 and each worker runs its chunks in the order they were sent, so a chunk sent to
     * it with a higher number has not started.
     */
    public long currentChunk() {
        return (long) LONGS.getAcquire(buffer, CURRENT_CHUNK);
    }

    /** @return the index, within its call, of the item most recently started */
    public long currentItem() {
        return (long) LONGS.getOpaque(buffer, CURRENT_ITEM);
    }

    /** @return the worker's last heartbeat, or 0 before the first */
    public long workerHeartbeatNanos() {
        return (long) LONGS.getAcquire(buffer, WORKER_HEARTBEAT);
    }

    /** @return the parent's last heartbeat, or 0 before the first */
    public long parentHeartbeatNanos() {
        return (long) LONGS.getAcquire(buffer, PARENT_HEARTBEAT);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
