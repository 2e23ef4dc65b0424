package io.procpool.worker.internal.runtime;

import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.transport.StatusDescriptor;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A worker must not outlive its parent: when the parent is gone (killed, crashed) or has stopped beating for longer
 * than the limit (frozen), the worker exits at once. The same thread beats the worker's heartbeat, so a worker that
 * stops beating is stuck as a whole, not merely busy with a long task.
 */
final class ParentWatch {
    private static final long WATCH_INTERVAL_MS = 200;

    private ParentWatch() {
    }

    /**
     * From the worker's first sleep on its futex on (it never sleeps on stdin again), reads its stdin on a daemon
     * thread of its own, so that its end, which the operating system brings the moment the parent dies, still ends
     * the worker at once, idle or not. A byte read is a wake-up the parent wrote as the worker woke (see
     * {@link io.procpool.worker.internal.transport.StatusDescriptor#wakeFromFutex}): nothing to do.
     */
    static void watchStdin() {
        Thread watcher = new Thread(() -> {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(64);
            try {
                int read;
                do {
                    bytes.clear();
                    read = WorkerExit.stdin().read(bytes); // a late wake-up byte, or the end
                } while (read >= 0);
            } catch (java.io.IOException e) {
                // Closed by an exit on another thread, or broken: a broken pipe is the parent's end too.
            }
            if (!WorkerExit.exiting()) {
                WorkerExit.exit(Protocol.EXIT_PARENT_GONE);
            }
        }, "procpool-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Starts watching on a daemon thread of its own; exits at once if the parent is not running.
     *
     * @param parentPid       the parent's process id
     * @param status          the worker's status file: its heartbeat, and the parent's
     * @param parentTimeoutMs the age of the parent's heartbeat at which the worker gives up on it
     */
    static void start(long parentPid, StatusDescriptor status, long parentTimeoutMs) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            System.err.println("procpool worker: parent process " + parentPid + " is not running");
            WorkerExit.exit(Protocol.EXIT_PARENT_GONE);
        }
        ProcessHandle handle = parent.get();
        long limitNanos = TimeUnit.MILLISECONDS.toNanos(parentTimeoutMs);
        Thread watcher = new Thread(() -> {
            while (true) {
                long now = System.nanoTime();
                status.workerHeartbeat(now);
                if (!handle.isAlive()) {
                    WorkerExit.exit(Protocol.EXIT_PARENT_GONE);
                }
                long parentBeat = status.parentHeartbeatNanos();
                if (parentBeat != 0 && now - parentBeat > limitNanos) {
                    System.err.println("procpool worker: the parent's heartbeat is "
                            + TimeUnit.NANOSECONDS.toMillis(now - parentBeat) + " ms old, past the limit of "
                            + parentTimeoutMs + " ms; exiting");
                    System.err.flush();
                    WorkerExit.exit(Protocol.EXIT_PARENT_GONE);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(WATCH_INTERVAL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "procpool-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
