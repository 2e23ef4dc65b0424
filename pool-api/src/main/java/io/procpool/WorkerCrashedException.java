package io.procpool;

/**
 * The worker process running the task exited or was killed before it returned a result: {@code kill -9},
 * {@code System.exit}, {@code Runtime.halt}, a JVM crash, running out of memory. The message carries the last lines
 * the worker wrote to its standard error.
 */
public class WorkerCrashedException extends PoolException {
    private static final long serialVersionUID = 1L;

    /** The worker's process id, or -1 if it never reported one. */
    private final long pid;
    /** The worker's exit code. */
    private final int exitCode;

    /**
     * Creates an exception for a worker that died while it ran the task.
     *
     * @param message  what happened, with the worker's last lines of standard error
     * @param pid      the worker's process id, or -1 if it never reported one
     * @param exitCode its exit code; 128 + n for a process killed by signal n
     */
    public WorkerCrashedException(String message, long pid, int exitCode) {
        super(message);
        this.pid = pid;
        this.exitCode = exitCode;
    }

    /**
     * Returns the process id of the worker that died.
     *
     * @return the process id of the worker that died, or -1 if it never reported one
     */
    public long pid() {
        return pid;
    }

    /**
     * Returns the exit code of the worker that died.
     *
     * @return the worker's exit code; 128 + n for a process killed by signal n (137 for SIGKILL)
     */
    public int exitCode() {
        return exitCode;
    }
}
