package io.procpool.launcher.internal.core;

import java.util.function.Consumer;

/** Makes a slot for a worker that came by itself (a cluster's member), at the index the conductor gives it. */
@FunctionalInterface
public interface SlotMaker {
    /**
     * Makes the slot, on the conductor's thread.
     *
     * @param index where the slot goes
     * @param onEnd to tell, on any thread, when its worker has ended
     * @return the slot, or null if its worker is gone already
     */
    WorkerSlot make(int index, Consumer<SlotEnd> onEnd);
}
