package io.procpool;

import java.time.Duration;

/**
 * The task ran past the pool's task timeout. Its worker was killed and replaced.
 */
public class TaskTimeoutException extends PoolException {
    private static final long serialVersionUID = 1L;

    /** The pool's task timeout that the task exceeded. */
    private final Duration timeout;

    /**
     * Creates an exception for a task that ran past the pool's task timeout.
     *
     * @param message what timed out and for how long it ran
     * @param timeout the pool's task timeout
     */
    public TaskTimeoutException(String message, Duration timeout) {
        super(message);
        this.timeout = timeout;
    }

    /**
     * Returns the pool's task timeout, the limit the task ran past.
     *
     * @return the pool's task timeout that the task exceeded
     */
    public Duration timeout() {
        return timeout;
    }
}
