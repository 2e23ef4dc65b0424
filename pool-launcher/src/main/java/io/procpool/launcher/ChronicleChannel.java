package io.procpool.launcher;

import io.procpool.worker.MessageAppender;
import io.procpool.worker.MessageTailer;
import io.procpool.worker.QueueLayout;
import io.procpool.worker.StatusDescriptor;

import java.io.IOException;

/**
 * A worker JVM's channel: its tasks queue (the pool writes), its results queue (the pool reads), both Chronicle
 * queues in the worker's directory, and its mapped {@link StatusDescriptor}. A message to a worker that says it
 * sleeps is followed by a wake-up, which the process sends (a byte on the worker's stdin).
 */
final class ChronicleChannel implements WorkerChannel {
    private final StatusDescriptor status;
    private final Runnable wake;
    private final MessageAppender tasks;
    private final MessageTailer results;

    /**
     * Opens the pool's side of the queues; the status descriptor was created before the worker started.
     *
     * @param wake wakes the worker, for a message sent while it sleeps
     */
    ChronicleChannel(QueueLayout layout, StatusDescriptor status, Runnable wake) {
        this.status = status;
        this.wake = wake;
        MessageAppender appender = new MessageAppender(layout, QueueLayout.TASKS);
        try {
            this.results = new MessageTailer(layout, QueueLayout.RESULTS);
        } catch (RuntimeException e) {
            appender.close();
            throw e;
        }
        this.tasks = appender;
    }

    @Override
    public void send(byte[] bytes, int length) {
        tasks.write(bytes, length);
        if (status.isParked()) {
            wake.run();
        }
    }

    @Override
    public boolean poll() {
        return results.poll();
    }

    @Override
    public byte[] bytes() {
        return results.bytes();
    }

    @Override
    public int length() {
        return results.length();
    }

    @Override
    public void beat(long nowNanos) {
        status.parentHeartbeat(nowNanos);
    }

    @Override
    public long workerHeartbeatNanos() {
        return status.workerHeartbeatNanos();
    }

    @Override
    public long itemStartedNanos() {
        return status.itemStartedNanos();
    }

    @Override
    public long currentChunk() {
        return status.currentChunk();
    }

    @Override
    public long currentItem() {
        return status.currentItem();
    }

    @Override
    public void cancelCall(int slot, long callId) {
        status.cancelCall(slot, callId);
    }

    @Override
    public long skippedChunk() {
        return status.skippedChunk();
    }

    @Override
    public void close() {
        results.close();
        tasks.close();
        try {
            status.close();
        } catch (IOException e) {
            // The mapping goes with the process anyway.
        }
    }
}
