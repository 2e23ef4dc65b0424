package io.procpool.internal;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.TaskTimeoutException;
import io.procpool.WorkerCrashedException;

/**
 * Gives a failure the stack of the thread that waited for it. A call's failure is made on the pool's own thread,
 * whose stack says nothing about the caller; like {@code CompletableFuture.join}, the exception the caller catches
 * is a fresh one made where the caller waited (its {@code map} or {@code next()}), and the task's own exception,
 * with the worker's stack, stays its cause. The copy is made only on failure, so it costs nothing on success.
 */
final class CallerStack {
    private CallerStack() {
    }

    /**
     * {@return a copy of {@code failure} of the same class, made on this thread; {@code failure} itself for a
     * subclass this pool does not make}
     */
    static PoolException of(PoolException failure) {
        PoolException copy;
        Class<?> type = failure.getClass();
        if (type == TaskFailedException.class) {
            copy = new TaskFailedException(failure.getCause());
        } else if (type == WorkerCrashedException.class) {
            WorkerCrashedException crash = (WorkerCrashedException) failure;
            copy = new WorkerCrashedException(crash.getMessage(), crash.pid(), crash.exitCode());
        } else if (type == TaskTimeoutException.class) {
            copy = new TaskTimeoutException(failure.getMessage(), ((TaskTimeoutException) failure).timeout());
        } else if (type == SerializationException.class) {
            copy = new SerializationException(failure.getMessage(), failure.getCause());
        } else if (type == PoolException.class) {
            copy = new PoolException(failure.getMessage(), failure.getCause());
        } else {
            return failure;
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }
}
