package io.procpool.worker.internal.runtime;

import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializer;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.QueueSizes;
import io.procpool.worker.internal.transport.StatusDescriptor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A worker JVM's life once its arguments are read: its serialiser loads on a thread of its own while the main
 * thread refuses a queue directory that others could have written, maps its status file and start-up rings, and
 * starts watching its parent; then the message loop ({@link WorkerLoop}) runs until the worker is done, and the
 * worker exits ({@link WorkerExit}). Chronicle's queues open later, beside the first messages
 * ({@link WorkerMessages}).
 */
public final class WorkerRuntime {
    private WorkerRuntime() {
    }

    /**
     * Runs a worker, and exits its JVM when it is done.
     *
     * @param directory       the worker's directory ({@link QueueLayout}), in its pool's directory
     * @param parentPid       the parent's process id
     * @param sequentialStart build the serialiser, then open the queues, all on this thread and at once, rather than
     *                        on threads of their own and later (for the worker that writes a class-data archive)
     * @param parentTimeoutMs the age of the parent's heartbeat at which the worker gives up on its parent
     * @param mainMicros      when the worker's {@code main} was entered ({@link Protocol#epochMicros})
     * @throws Exception if the worker cannot open its status file or its queues; it then exits with a non-zero
     *                   code, and the parent quotes what it wrote to standard error
     */
    public static void run(Path directory, long parentPid, boolean sequentialStart, long parentTimeoutMs,
                           long mainMicros) throws Exception {
        // When this worker reached each phase of its start-up, indexed by the STAMP_ constants; sent with READY.
        // Written before the serialiser's future completes or on the main thread, so READY (sent after joining that
        // future) sees every stamp.
        long[] stamps = new long[Protocol.STAMPS];
        stamps[Protocol.STAMP_MAIN] = mainMicros;
        // The serialiser loads beside the main thread's own set-up; Chronicle later (see WorkerMessages).
        QueueSizes sizes = QueueSizes.fromSystemProperty();
        CompletableFuture<ValueSerializer> serializer = loadSerializer(directory, sizes, stamps, sequentialStart);
        QueueLayout layout = new QueueLayout(directory, sizes);
        refuseForeignDirectory(layout.directory());
        // Chronicle's start (its core's set-up, native bindings, the queues) is most of a worker's: it runs on a
        // thread of its own while the first messages cross the start-up rings (see WorkerMessages).
        stamps[Protocol.STAMP_CHANNEL_OPENING] = Protocol.epochMicros();
        try (StatusDescriptor status = StatusDescriptor.open(layout.statusFile());
             WorkerMessages messages = new WorkerMessages(layout,
                     () -> status.queuesOpen(Protocol.epochMicros()), sequentialStart)) {
            status.workerHeartbeat(System.nanoTime());
            WorkerExit.wakeSleeperOnExit(status::wakeFromFutex);
            ParentWatch.start(parentPid, status, parentTimeoutMs);
            // A task's System.exit runs the hooks: close stdin there, so that a read of it does not hold up the exit.
            Runtime.getRuntime().addShutdownHook(new Thread(WorkerExit::closeStdin, "procpool-close-stdin"));
            // No timed park: past its yielding phase a worker sleeps on its stdin until woken (sleepUntilWoken).
            ShippedClasses values = new ShippedClasses(serializer.join(), loader -> ValueSerializers.create(
                    ValueSerializers.fromSystemProperty(), ClassFilter.fromSystemProperty(), directory.getParent(),
                    sizes, loader));
            int exitCode = new WorkerLoop(values, messages, status,
                    IdleStrategy.fromSystemProperties(Long.MAX_VALUE), stamps).run();
            // Exit explicitly: threads a task started must not keep a finished worker alive.
            System.out.flush();
            System.err.flush();
            WorkerExit.exit(exitCode);
        }
    }

    /** Builds the pool's serialiser, on a thread of its own unless {@code sequential}. */
    private static CompletableFuture<ValueSerializer> loadSerializer(Path directory, QueueSizes sizes, long[] stamps,
                                                                     boolean sequential) {
        CompletableFuture<ValueSerializer> serializer = new CompletableFuture<>();
        Runnable load = () -> {
            try {
                // Large arrays pass through files in the pool's directory, the parent of this worker's.
                ValueSerializer created = ValueSerializers.create(ValueSerializers.fromSystemProperty(),
                        ClassFilter.fromSystemProperty(), directory.getParent(), sizes);
                stamps[Protocol.STAMP_SERIALIZER_READY] = Protocol.epochMicros();
                serializer.complete(created);
            } catch (Throwable t) {
                serializer.completeExceptionally(t);
            }
        };
        if (sequential) {
            load.run();
        } else {
            Thread loader = new Thread(load, "procpool-serializer-loader");
            loader.setDaemon(true);
            loader.start();
        }
        return serializer;
    }

    /**
     * The queues hold what this worker will deserialise and run: only their owner may have written them. The pool
     * makes the directory private to its user; a directory owned by anyone else is refused.
     */
    private static void refuseForeignDirectory(Path directory) {
        for (Path path : new Path[]{directory, directory.getParent()}) {
            try {
                // By user id, not name: in a container without a passwd entry the name is "?".
                Object owner = Files.getAttribute(path, "unix:uid");
                Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                boolean othersMayWrite = permissions.contains(PosixFilePermission.GROUP_WRITE)
                        || permissions.contains(PosixFilePermission.OTHERS_WRITE);
                if (!owner.equals(me) || othersMayWrite) {
                    System.err.println("procpool worker: refusing queue directory " + path + " owned by uid "
                            + owner + " with permissions " + PosixFilePermissions.toString(permissions)
                            + "; it must belong to uid " + me + " and be writable by nobody else");
                    System.err.flush();
                    WorkerExit.exit(Protocol.EXIT_BAD_START);
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // No unix attributes or no /proc (not Linux): nothing to compare.
            }
        }
    }
}
