package io.procpool;

/**
 * The task threw. {@link #getCause()} is the task's own exception, of its own class where this JVM can rebuild it
 * (otherwise a {@link RemoteException} that mirrors it), carrying the stack trace from where it was thrown.
 */
public class TaskFailedException extends PoolException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception for a task that threw; the message names the class and message of {@code cause}.
     *
     * @param cause the task's exception
     */
    public TaskFailedException(Throwable cause) {
        super(describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        String className = cause instanceof RemoteException
                ? ((RemoteException) cause).remoteClassName()
                : cause.getClass().getName();
        String message = cause instanceof RemoteException
                ? ((RemoteException) cause).remoteMessage()
                : cause.getMessage();
        return "task failed: " + className + (message == null ? "" : ": " + message);
    }
}
