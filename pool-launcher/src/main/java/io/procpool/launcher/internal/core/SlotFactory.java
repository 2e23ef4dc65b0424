package io.procpool.launcher.internal.core;

import io.procpool.PoolException;

import java.util.function.Consumer;

/**
 * How a pool's slots come to be and what they leave behind: the transport's side of starting a worker, which the
 * conductor calls to fill a slot at the start and to replace a worker that ended.
 */
public interface SlotFactory {
    /**
     * Starts a worker in a slot.
     *
     * @param index the slot's place in the pool
     * @param onEnd told, on any thread, when the worker has ended
     * @return the slot, its worker starting
     * @throws PoolException if it cannot be started at all (its directory or queues could not be made)
     */
    WorkerSlot start(int index, Consumer<SlotEnd> onEnd);

    /**
     * Finishes a slot's set-up once its worker is launched: what the worker's start does not need is set up while
     * it boots. Called on the thread that started it, after the pool's first workers are all launched (so that none
     * waits for another's set-up) and at once after a replacement's launch; before anything is sent or read.
     *
     * @param slot a slot this factory started
     * @throws PoolException if the set-up failed; the worker is then killed
     */
    default void afterLaunch(WorkerSlot slot) {
    }

    /**
     * A slot's worker ended.
     *
     * @param slot     the slot
     * @param normally whether it left as asked (shut down, retired), not died
     */
    void ended(WorkerSlot slot, boolean normally);

    /**
     * Checks, now and then, that the transport still has the room it needs.
     *
     * @throws PoolException if it has not, saying what to do: the pool then stops with that error
     */
    void checkResources();

    /** Removes what the pool's slots shared (a directory), once every worker has ended. */
    void close();
}
