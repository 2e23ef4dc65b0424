package io.procpool.launcher;

import io.procpool.worker.internal.transport.StatusDescriptor;
/**
 * The transport between the pool and one worker: how a message reaches it, how its answers come back, and the few
 * words both sides share without a message (heartbeats, what it runs, whether it sleeps). A worker JVM's is
 * {@link ChronicleChannel}: Chronicle queues and a mapped status descriptor. The scheduler and supervisor know only
 * this, so another transport plugs in beneath them. Messages are used by the thread that holds the worker; the
 * heartbeat and the status reads are safe from any thread.
 */
interface WorkerChannel extends AutoCloseable {
    /** Appends one message for the worker, and wakes the worker if it sleeps. */
    void send(byte[] bytes, int length);

    /**
     * A message is about to be encoded for the worker: wakes the worker now if it sleeps, so that its wake-up (a
     * tenth of a millisecond or more on a small virtual machine) overlaps the encoding. {@link #send} would wake
     * it anyway; this only saves time, and a worker is woken once per sleep whichever of the two does it.
     */
    void wakeAhead();

    /**
     * Reads what the worker sent, without waiting.
     *
     * @return whether a whole message is now in {@link #bytes()}
     */
    boolean poll();

    /** {@return the buffer holding the message the last successful {@link #poll()} read} */
    byte[] bytes();

    /** {@return that message's length} */
    int length();

    /** Tells the worker the pool is alive. */
    void beat(long nowNanos);

    /** {@return the worker's last heartbeat, or 0 before the first} */
    long workerHeartbeatNanos();

    /** {@return when the worker's running item started, or 0 when none runs or items are not tracked} */
    long itemStartedNanos();

    /** {@return the number of the chunk the worker received last; 0 before the first} */
    long currentChunk();

    /** {@return the index of the item the worker started last} */
    long currentItem();

    /**
     * Names a cancelled call whose chunks, queued in the worker, it must skip rather than start.
     *
     * @param slot   which of the {@link StatusDescriptor#CANCELLED_SLOTS} names to overwrite
     * @param callId the call
     */
    void cancelCall(int slot, long callId);

    /** {@return the chunk the worker skipped last, its call having been cancelled; 0 before the first} */
    long skippedChunk();

    /** Closes the pool's side; quietly, since the worker may be gone already. */
    @Override
    void close();
}
