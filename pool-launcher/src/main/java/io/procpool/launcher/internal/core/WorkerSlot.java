package io.procpool.launcher.internal.core;

import io.procpool.internal.Chunk;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One slot of a pool as the core sees it: where its worker is in its life, the chunks it holds, what it has been
 * sent, and its {@link SlotChannel}.
 *
 * <p>Owner: the thread that holds the slot, and no other. The conductor holds every slot, except that it may lend
 * an idle one (ready, nothing in flight, no other work waiting) to a caller's thread, which then drives it itself
 * ({@link DirectPath}); {@link #lend()}, {@link #borrow()} and {@link #giveBack} hand it over through an atomic,
 * which orders everything the one thread did before everything the other does after. Other threads only read the
 * {@link #exitSeen} flag and ask the channel to kill.
 */
public final class WorkerSlot implements Supervisor.Watched {
    private static final int HELD_BY_CONDUCTOR = 0;
    private static final int LENDABLE = 1;
    private static final int LENT = 2;

    /**
     * Where a slot's worker is in its life. It only moves forward:
     * <pre>
     * STARTING --ready--> READY --retiring--> RETIRING --+
     *     |                 |                            +--end--> EXITED
     *     +---shutdown sent-+--> SHUTTING_DOWN ----------+
     * </pre>
     * A kill, which any thread may ask of the channel, is apart from this; the end follows it.
     */
    public enum State {
        /** Started; has not reported ready. */
        STARTING,
        /** Runs chunks. */
        READY,
        /** Reached its task limit: finishes its chunk and ends; gets nothing more. */
        RETIRING,
        /** Told to finish and end, the pool shutting down; gets nothing more. */
        SHUTTING_DOWN,
        /** Its worker is gone. */
        EXITED
    }

    /**
     * A chunk sent to this slot.
     *
     * @param seq       its number
     * @param chunk     the chunk
     * @param sentNanos when it was sent
     */
    public record InFlight(long seq, Chunk chunk, long sentNanos) {
    }

    /**
     * Why the pool killed this slot's worker: item {@code index} of chunk {@code seq} ran for {@code elapsedNanos}.
     *
     * @param seq          the chunk
     * @param index        the item that ran too long
     * @param elapsedNanos how long it had run
     */
    public record Timeout(long seq, long index, long elapsedNanos) {
    }

    final int index;
    final long launchedNanos;
    final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final SlotChannel channel;
    private final AtomicInteger holder = new AtomicInteger();
    /** The functions the slot holds, oldest first, mirroring its worker's own bounded table. */
    private final LinkedHashSet<Long> functions = new LinkedHashSet<>();
    private final int maxFunctions;
    /** The calls named to the worker as cancelled, by name index, and how many were named so far. */
    private final long[] cancelledNamed;
    private int cancelledNames;
    private State state = State.STARTING;
    private long pid = -1;
    long itemsSent;
    /** Moving average of the time a chunk takes in the worker, which sets how many chunks it may hold. */
    double chunkNanosAverage = -1;
    Timeout timeout;
    /** Killed because it ran a chunk of a cancelled call: the pool's choice, not a lost worker. */
    boolean stoppedForCancel;
    /** Told to end for being idle past the pool's keep-alive ({@link SlotSizing}): not to be replaced. */
    boolean idleExpired;
    Throwable initFailure;
    /** Set by whatever watches the worker's end, so that a caller's thread driving the slot stops waiting. */
    volatile boolean exitSeen;

    /**
     * Creates a slot for a worker just launched.
     *
     * @param index         the slot's place in the pool
     * @param launchedNanos when its worker was started
     * @param channel       its transport
     * @param maxFunctions  how many functions its worker keeps
     */
    public WorkerSlot(int index, long launchedNanos, SlotChannel channel, int maxFunctions) {
        this.index = index;
        this.launchedNanos = launchedNanos;
        this.channel = channel;
        this.maxFunctions = maxFunctions;
        this.cancelledNamed = new long[channel.cancelledCallNames()];
    }

    /** {@return the slot's place in the pool} */
    public int index() {
        return index;
    }

    /** {@return its transport} */
    public SlotChannel channel() {
        return channel;
    }

    /** {@return where its worker is in its life} */
    public State state() {
        return state;
    }

    /** {@return the worker's process id, as it reported it or its channel knows it} */
    public long pid() {
        return pid > 0 ? pid : channel.pid();
    }

    boolean hasFunction(long functionId) {
        return functions.contains(functionId);
    }

    void addFunction(long functionId) {
        functions.add(functionId);
        if (functions.size() > maxFunctions) {
            functions.remove(functions.iterator().next());
        }
    }

    /**
     * The worker reported ready. One already told to shut down stays so.
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

    /** @throws IllegalStateException if it was not running chunks: a protocol error */
    void onRetiring() {
        if (state != State.READY) {
            throw new IllegalStateException(this + " said it retires when " + state);
        }
        state = State.RETIRING;
    }

    /** {@return whether the pool may tell it to shut down: it has not been told and is not leaving} */
    boolean mayShutDown() {
        return state == State.STARTING || state == State.READY;
    }

    void onShutdownSent() {
        if (!mayShutDown()) {
            throw new IllegalStateException("shutdown sent to " + this + " when " + state);
        }
        state = State.SHUTTING_DOWN;
    }

    /** {@return the state it was in when its worker ended} */
    State onExited() {
        State was = state;
        state = State.EXITED;
        return was;
    }

    /** {@return whether it takes chunks now: ready, and not being killed} */
    boolean takesChunks() {
        return state == State.READY && channel.killReason() == null;
    }

    boolean isAlive() {
        return state != State.EXITED;
    }

    /**
     * Names a cancelled call to the worker, once, so that it skips the call's chunks queued in it; the oldest name
     * gives way when all are taken.
     */
    void nameCancelledCall(long callId) {
        for (long named : cancelledNamed) {
            if (named == callId) {
                return;
            }
        }
        int name = cancelledNames++ % cancelledNamed.length;
        cancelledNamed[name] = callId;
        channel.cancelCall(name, callId);
    }

    /** Conductor: offers this idle slot to a caller's thread. */
    void lend() {
        holder.set(LENDABLE);
    }

    /** Conductor: takes the slot back to use it; {@code false} while a caller's thread has it. */
    boolean reclaim() {
        int now = holder.get();
        return now == HELD_BY_CONDUCTOR || now == LENDABLE && holder.compareAndSet(LENDABLE, HELD_BY_CONDUCTOR);
    }

    /** {@return whether the conductor holds it (and has not merely offered it)} */
    boolean heldByConductor() {
        return holder.get() == HELD_BY_CONDUCTOR;
    }

    /** {@return whether a caller's thread drives it now} */
    boolean isLent() {
        return holder.get() == LENT;
    }

    /** A caller's thread: takes the slot if it is offered; {@code true} if this thread holds it now. */
    boolean borrow() {
        return holder.get() == LENDABLE && holder.compareAndSet(LENDABLE, LENT);
    }

    /** A caller's thread: hands the slot back, offered again if it is still idle and fit, else to the conductor. */
    void giveBack(boolean lendable) {
        holder.set(lendable ? LENDABLE : HELD_BY_CONDUCTOR);
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
        return channel.killReason() != null;
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
    public boolean processEnded() {
        return channel.processEnded();
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

    @Override
    public String toString() {
        return "worker " + index + " (pid " + pid() + ")";
    }
}
