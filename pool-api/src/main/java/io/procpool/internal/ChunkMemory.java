package io.procpool.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What a pool has learnt of its tasks' durations, by task class, so that a call of a task the pool has run before
 * starts with chunks of the right size instead of relearning them from small ones (a loop of {@code map} calls
 * over tiny tasks would otherwise pay for that on every call). A task class whose items' cost varies from call to
 * call costs little: the first chunks are still capped at a share of the call's items, and sizes adapt again from
 * the first chunk measured.
 */
public final class ChunkMemory {
    private static final int MAX_TASKS = 256;

    private final ConcurrentHashMap<Class<?>, Double> nanosPerItem = new ConcurrentHashMap<>();

    /** Creates a memory that knows no task yet. */
    public ChunkMemory() {
    }

    /** {@return the last smoothed time per item of tasks of this class, or a negative number if none is known} */
    double nanosPerItem(Class<?> task) {
        Double known = nanosPerItem.get(task);
        return known == null ? -1 : known;
    }

    /** {@return how many task classes are remembered} */
    int size() {
        return nanosPerItem.size();
    }

    void remember(Class<?> task, double nanos) {
        if (nanosPerItem.size() >= MAX_TASKS && !nanosPerItem.containsKey(task)) {
            nanosPerItem.clear(); // bounded; forgetting only costs relearning
        }
        nanosPerItem.put(task, nanos);
    }
}
