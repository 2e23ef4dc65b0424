package io.procpool;

/**
 * The root of every exception a {@link Pool} throws for work it could not complete. All are unchecked, and after
 * any of them the pool stays usable.
 */
public class PoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and no cause.
     *
     * @param message what went wrong
     */
    public PoolException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure that led to it.
     *
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
