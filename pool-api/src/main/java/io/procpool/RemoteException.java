package io.procpool;

/**
 * Stands in for an exception thrown in a worker whose own class could not cross the process boundary: its class
 * is missing here, or it held something that cannot be serialised. It keeps the original class name, message,
 * stack trace and cause chain.
 */
public final class RemoteException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The fully qualified class name of the original exception. */
    private final String remoteClassName;
    /** The original exception's message, possibly {@code null}. */
    private final String remoteMessage;

    /**
     * Creates a stand-in for an exception thrown in a worker. Its message is the original class name, followed by
     * the original message if there is one.
     *
     * @param remoteClassName the class of the original exception
     * @param remoteMessage   its message, possibly {@code null}
     * @param stackTrace      its stack trace
     * @param cause           its cause, already converted, or {@code null}
     */
    public RemoteException(String remoteClassName, String remoteMessage, StackTraceElement[] stackTrace,
                           Throwable cause) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage), cause);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
        setStackTrace(stackTrace);
    }

    /**
     * Returns the class name of the exception this one stands in for.
     *
     * @return the fully qualified class name of the original exception
     */
    public String remoteClassName() {
        return remoteClassName;
    }

    /**
     * Returns the message of the exception this one stands in for.
     *
     * @return the original exception's message, possibly {@code null}
     */
    public String remoteMessage() {
        return remoteMessage;
    }
}
