package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.internal.Call;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The calls' way in to the conductor: callers' threads add calls, and the conductor's thread takes them into its
 * {@link Scheduler}, or ends them when the pool takes no more.
 *
 * <p>Owner: any thread adds, through a lock-free queue, and wakes the conductor; only the conductor's thread takes,
 * except that a caller that finds the conductor ended fails what is left, as nobody else will.
 */
final class CallIntake {
    private final Queue<ActiveCall> queue = new ConcurrentLinkedQueue<>();
    private final Runnable wakeConductor;

    CallIntake(Runnable wakeConductor) {
        this.wakeConductor = wakeConductor;
    }

    /** Any thread: hands a call over. */
    void add(ActiveCall call) {
        queue.add(call);
        wakeConductor.run();
    }

    /** {@return whether no call waits to be taken} */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** {@return how many calls wait to be taken} */
    int size() {
        return queue.size();
    }

    /** Ends every call waiting with {@code failure}. */
    void failAll(PoolException failure) {
        ActiveCall call;
        while ((call = queue.poll()) != null) {
            call.call().end(failure);
        }
    }

    /**
     * The conductor's thread: takes every call waiting into {@code scheduler}, or ends it with {@code refusal}.
     *
     * @param scheduler    takes the calls
     * @param refusal      why the pool takes no more calls, or {@code null} while it does
     * @param shuttingDown whether the pool is shutting down: a lazy call reads no more of its items
     * @return whether any call was waiting
     */
    boolean moveTo(Scheduler scheduler, PoolException refusal, boolean shuttingDown) {
        boolean worked = false;
        ActiveCall active;
        while ((active = queue.poll()) != null) {
            worked = true;
            Call call = active.call();
            if (refusal != null) {
                call.end(refusal);
                continue;
            }
            call.onRoom(wakeConductor);
            scheduler.add(active);
            if (shuttingDown && call.isLazy()) {
                call.stopReading();
            }
        }
        return worked;
    }
}
