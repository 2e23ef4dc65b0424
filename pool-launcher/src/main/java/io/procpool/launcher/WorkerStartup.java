package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.worker.internal.protocol.Protocol;

/**
 * When one worker reached each phase of its start-up, in wall-clock microseconds ({@link Protocol#epochMicros}):
 * the parent's stamps and the ones the worker sent with READY. Zero where a phase has not happened (yet).
 *
 * <p>Written by the thread that launches the worker, the executor's thread (the process started) and the thread that
 * reads READY; read once the pool has started, which orders those writes before the read (the start future).
 */
final class WorkerStartup {
    /** The parent began launching the worker (its directory, status file, command line). */
    final long launchMicros = Protocol.epochMicros();
    /** The operating system had started its process. */
    volatile long processStartedMicros;
    /** The parent began opening its side of the worker's channel: the start-up rings, then the queues. */
    long parentQueuesOpeningMicros;
    /** The parent's side of the Chronicle queues was open (on a thread of its own). */
    volatile long parentQueuesOpenMicros;
    /** The worker's own stamps, indexed by {@code Protocol.STAMP_...}. */
    final long[] workerStamps = new long[Protocol.STAMPS];
    /** The parent read the worker's READY. */
    long readySeenMicros;
    /** The parent read the worker's first result; set once, by whichever thread holds the worker then. */
    volatile long firstResultMicros;

    /** Reads the stamps that follow the pid in a READY message, skipping any this version does not know. */
    void readStamps(Input in) {
        readySeenMicros = Protocol.epochMicros();
        int count = in.readVarInt(true);
        for (int i = 0; i < count; i++) {
            long stamp = in.readVarLong(true);
            if (i < workerStamps.length) {
                workerStamps[i] = stamp;
            }
        }
    }
}
