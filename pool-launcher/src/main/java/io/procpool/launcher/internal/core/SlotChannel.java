package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.WorkerCrashedException;
import io.procpool.internal.Chunk;

/**
 * The seam beneath the core: what the conductor asks of one slot's transport, in chunks and outcomes, never bytes.
 * A worker JVM's channel speaks Chronicle queues and a mapped status descriptor; another transport (a cluster
 * member) fills the same contract. What a transport cannot know it says: {@link #currentChunk()} answers
 * {@link #UNKNOWN} where the far side cannot report which chunk it runs, and the core then counts every held chunk as
 * started.
 *
 * <p>Threads: sending and polling belong to the thread that holds the slot (the conductor, or a caller it lent the
 * slot to; see {@link WorkerSlot}); the status reads, {@link #beat}, {@link #cancelCall} and {@link #kill} are safe
 * from any thread.
 */
public interface SlotChannel {
    /** What {@link #currentChunk()} answers where the transport cannot tell which chunk runs. */
    long UNKNOWN = -1;

    /**
     * @return how many workers the slot stands for: one for a worker JVM, a member's workers for a cluster member;
     * what the pool's counters count
     */
    default int workers() {
        return 1;
    }

    /**
     * @return the most chunks the slot may hold, or -1 to let the scheduler decide from how long chunks take (a
     * transport that may start queued chunks out of order holds no more than it runs at once)
     */
    default int maxChunksInFlight() {
        return -1;
    }

    /** @return whether the slot answers chunks in the order they were sent, which the core then checks */
    default boolean answersInOrder() {
        return true;
    }

    /**
     * The slot has had no work for a while: the moment for set-up its transport deferred so as not to compete with
     * the first calls' tasks (a worker JVM's channel moves from its start-up rings to its Chronicle queues). Called on
     * the thread that holds the slot, at idle moments, until it says it is done; it must not block. Nothing to do by
     * default.
     *
     * @return whether the set-up is done
     */
    default boolean settle() {
        return true;
    }

    /**
     * A chunk is about to be prepared for the slot: a worker that sleeps may be woken now, so that its wake-up (a
     * tenth of a millisecond or more on a small virtual machine) overlaps the encoding. Sending would wake it
     * anyway; this only saves time.
     */
    void wakeAhead();

    /**
     * Encodes a chunk for the slot, and the call's function before it when the slot does not hold it, ready for
     * {@link #sendPrepared()}. The channel counts the bytes it will send.
     *
     * @param call         the call, with its function's id and bytes
     * @param chunk        the chunk
     * @param seq          the chunk's number, increasing per slot
     * @param withFunction whether the slot lacks the call's function
     * @return -1 when the chunk is ready; otherwise the index within the chunk of the item that could not be
     * serialised, and nothing is ready ({@link #itemFailure} says why)
     */
    int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction);

    /**
     * Sends what {@link #prepare} made ready. The core records the chunk as in flight before, so that a loss seen
     * at any point finds it.
     *
     * @throws PoolException if the transport has no room for it (a full file system): the chunk fails alone
     */
    void sendPrepared();

    /**
     * Returns the error for an item {@link #prepare} could not serialise.
     *
     * @param chunk the chunk
     * @param index the index {@link #prepare} returned
     * @return which item, of which class, and why
     */
    SerializationException itemFailure(Chunk chunk, int index);

    /** Tells the slot to finish what it holds and leave. */
    void sendShutdown();

    /**
     * Reads what the slot reported, without waiting, handing each report to {@code reports}.
     *
     * @param reports     where the reports go
     * @param maxMessages the most reports to read in this turn, so that every slot gets its turn
     * @return how many reports were read
     */
    int poll(SlotReports reports, int maxMessages);

    /**
     * Reads everything a slot that ended reported before it did: it is complete and valid.
     *
     * @param reports where the reports go
     */
    void drain(SlotReports reports);

    /**
     * Tells the slot the pool is alive.
     *
     * @param nowNanos now
     */
    void beat(long nowNanos);

    /** {@return the slot's last heartbeat, or 0 before the first or where the transport has none} */
    long workerHeartbeatNanos();

    /**
     * {@return whether the slot's process has already ended, though its end may not have been reported yet; false
     * where the channel cannot tell} Asked only when an item is past its timeout, so it may cost a system call.
     */
    boolean processEnded();

    /** {@return when the slot's running item started, or 0 when none runs or items are not tracked} */
    long itemStartedNanos();

    /** {@return the number of the chunk the slot received last (0 before the first), or {@link #UNKNOWN}} */
    long currentChunk();

    /** {@return the index of the item the slot started last} */
    long currentItem();

    /** {@return the chunk the slot skipped last, its call having been cancelled; 0 before the first} */
    long skippedChunk();

    /**
     * Names a cancelled call whose chunks, queued in the slot, it must skip rather than start.
     *
     * @param index  which of the slot's names for cancelled calls to overwrite
     * @param callId the call
     */
    void cancelCall(int index, long callId);

    /** {@return how many cancelled calls the slot can be told of at once} */
    int cancelledCallNames();

    /** {@return the slot's process id, or -1 before it is known} */
    long pid();

    /**
     * Stops the slot at once; its end is reported to the conductor as any other. The first reason given is kept.
     *
     * @param reason why, for the errors of the work it held
     */
    void kill(String reason);

    /** {@return why the pool killed the slot, or {@code null} if it did not} */
    String killReason();

    /**
     * Builds the error for a chunk that ended with the slot.
     *
     * @param end      how the slot ended
     * @param chunk    the chunk
     * @param attempts how many times the chunk has run, this time included
     * @return the error, naming the slot, how it ended and the chunk's items
     */
    WorkerCrashedException crashed(SlotEnd end, Chunk chunk, int attempts);

    /**
     * Builds the error for a slot that ended before it was ready.
     *
     * @param end         how it ended
     * @param initFailure what its initializer threw, or {@code null}
     * @return the error, naming the slot and why
     */
    PoolException startFailed(SlotEnd end, Throwable initFailure);

    /**
     * Waits a little for whatever watched the slot's end to finish, so that nothing of the pool outlives it.
     *
     * @param millis the longest to wait
     */
    void awaitWatcher(long millis);

    /** Closes this side of the transport and removes what the slot left behind; quietly. */
    void release();
}
