package io.procpool.worker;

import io.procpool.worker.internal.logging.Quiet;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.runtime.WorkerRuntime;

import java.nio.file.Path;

/**
 * The main class of a worker JVM, which a pool starts with two arguments: the worker's directory, where its queues
 * and status file are, and the parent's pid. The worker reads set-up, functions and chunks from its tasks queue,
 * runs each item, and writes outcomes to its results queue, until told to shut down, until it has run
 * {@code maxTasksPerChild} items or passed {@code maxMemoryPerChild}, or until its parent dies. This class reads the arguments and the worker's system
 * properties and hands the worker to its runtime.
 */
public final class WorkerMain {
    /** The system property with the age of the parent's heartbeat at which a worker gives up on its parent. */
    public static final String PARENT_HEARTBEAT_TIMEOUT_PROPERTY = "procpool.parentHeartbeatTimeoutMs";
    /**
     * The system property that makes a worker start on its main thread alone: it builds its serialiser and then
     * opens its Chronicle queues there, one after the other, rather than on threads of their own, and opens the
     * queues at once rather than after its first result. Set for the worker that writes the class-data archive: its
     * archive then holds Chronicle's classes even if it never runs a task, and a JVM dumping an archive crashed here
     * (Temurin 25.0.3, SIGSEGV in {@code LambdaProxyClassDictionary::find_lambda_proxy_class}) when threads linked
     * lambdas side by side.
     */
    public static final String SEQUENTIAL_START_PROPERTY = "procpool.sequentialStart";
    /**
     * Set to {@code true} in every worker JVM before any task's class loads, so that a pool created while such a
     * class initialises (a pool in a static field of the class whose lambdas the worker runs) knows it is inside a
     * worker and does not start workers of its own until it is used.
     */
    public static final String IN_WORKER_PROPERTY = "procpool.inWorker";
    private static final long DEFAULT_PARENT_HEARTBEAT_TIMEOUT_MS = 30_000;

    private WorkerMain() {
    }

    /**
     * Runs a worker; its JVM exits when the worker is done.
     *
     * @param args the worker's directory and the parent's pid
     * @throws Exception if the worker cannot open its status file or its queues; it then exits with a non-zero
     *                   code, and the parent quotes what it wrote to standard error
     */
    public static void main(String[] args) throws Exception {
        long mainMicros = Protocol.epochMicros();
        if (args.length != 2) {
            System.err.println("usage: WorkerMain <worker directory> <parent pid>");
            System.exit(Protocol.EXIT_BAD_START);
        }
        System.setProperty(IN_WORKER_PROPERTY, "true");
        Quiet.loggers();
        WorkerRuntime.run(Path.of(args[0]), Long.parseLong(args[1]), Boolean.getBoolean(SEQUENTIAL_START_PROPERTY),
                Long.getLong(PARENT_HEARTBEAT_TIMEOUT_PROPERTY, DEFAULT_PARENT_HEARTBEAT_TIMEOUT_MS), mainMicros);
    }
}
