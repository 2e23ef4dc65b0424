package io.procpool;

/**
 * The function, an item or a result could not be serialised, or the other side could not rebuild it. The message
 * names the class that failed.
 */
public class SerializationException extends PoolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a value that could not cross the process boundary.
     *
     * @param message what could not cross the process boundary, naming its class
     */
    public SerializationException(String message) {
        super(message);
    }

    /**
     * Creates an exception for a value that could not cross the process boundary, with the serialiser's error.
     *
     * @param message what could not cross the process boundary, naming its class
     * @param cause   the serialiser's own error
     */
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
