package io.procpool.examples.compare;

import io.procpool.PoolStats;

/**
 * What crossing the process boundary cost per item over a stretch of a ProcessPool's work: the difference of two
 * {@link PoolStats} snapshots divided by the items completed between them. Bytes are as the pool counts them, the
 * message framing included; times are the pool's own, summed per chunk, so for chunks of many items they are
 * shared out evenly.
 *
 * @param items                   items completed between the two snapshots
 * @param bytesToWorkers          bytes sent to the workers per item
 * @param bytesFromWorkers        bytes received from the workers per item
 * @param parentSerializeMicros   the parent serialising the function and items, per item
 * @param workerDeserializeMicros a worker rebuilding them, per item
 * @param workerSerializeMicros   a worker serialising the results, per item
 * @param parentDeserializeMicros the parent rebuilding the results, per item
 */
record Crossing(long items, double bytesToWorkers, double bytesFromWorkers, double parentSerializeMicros,
                double workerDeserializeMicros, double workerSerializeMicros, double parentDeserializeMicros) {

    /**
     * @param before a snapshot taken before the stretch began
     * @param after  one taken after its last call returned
     * @throws IllegalArgumentException if no item completed in between: there is nothing to divide by
     */
    static Crossing between(PoolStats before, PoolStats after) {
        long items = after.tasksCompleted() - before.tasksCompleted();
        if (items <= 0) {
            throw new IllegalArgumentException("no item completed between the two snapshots");
        }
        double n = items;
        return new Crossing(items,
                (after.bytesToWorkers() - before.bytesToWorkers()) / n,
                (after.bytesFromWorkers() - before.bytesFromWorkers()) / n,
                (after.parentSerializeNanos() - before.parentSerializeNanos()) / n / 1e3,
                (after.workerDeserializeNanos() - before.workerDeserializeNanos()) / n / 1e3,
                (after.workerSerializeNanos() - before.workerSerializeNanos()) / n / 1e3,
                (after.parentDeserializeNanos() - before.parentDeserializeNanos()) / n / 1e3);
    }

    /** @return the four serialising and rebuilding times together, per item */
    double codecMicros() {
        return parentSerializeMicros + workerDeserializeMicros + workerSerializeMicros + parentDeserializeMicros;
    }
}
