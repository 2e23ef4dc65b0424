package io.procpool.worker.internal.runtime;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.procpool.worker.internal.transport.MessageAppender;
import io.procpool.worker.internal.transport.MessageTailer;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StartRing;
import io.procpool.worker.internal.transport.StatusDescriptor;
import io.procpool.worker.internal.transport.SwitchingReader;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The worker's end of its channel: the start-up rings ({@link StartRing}) until each direction switches, then the
 * Chronicle queues. Chronicle's start (its core's set-up, native bindings, the queues: most of a worker's start, all
 * of it CPU: some 0.25 s of a thread's even with a class-data archive) is deferred until the parent says the pool
 * has been idle a while (the switch marker in the tasks ring), and then runs on a thread of its own: on a small
 * machine it would otherwise take the cores the first calls' tasks need (a first map of 8 CPU tasks took 2x the later
 * ones when the queues opened after the first result, beside the tasks; opened at the worker's first sleep, they
 * took that time from the next map instead, a worker's sleeps being no sign that the pool is idle). A worker that
 * the parent never finds idle opens them after {@value #OPEN_AFTER_MESSAGES} messages. Results switch as soon as the
 * queues are open (the opening thread puts the marker in the results ring at once); tasks switch when the parent
 * says so: the pool idle, the worker's marker read, or a message too large for the ring. A message too large for a ring, either
 * way, makes the worker open its queues there and then and wait for them.
 *
 * <p>Tasks are read by the worker's main thread only. Results are written by the main thread, and the marker by the
 * opening thread: both under this object's lock, which costs nothing uncontended.
 */
final class WorkerMessages implements AutoCloseable {
    /** After this many messages sent on the ring, the queues open even if the pool has never been idle. */
    static final int OPEN_AFTER_MESSAGES = 1_000;
    private final StartRing taskRing;
    private final StartRing resultRing;
    private final SwitchingReader tasks;
    private final CompletableFuture<Queues> queues = new CompletableFuture<>();
    private final QueueLayout layout;
    private final Runnable onOpened;
    @GuardedBy("this")
    private boolean opening;
    @GuardedBy("this")
    private int written;
    @GuardedBy("this")
    private boolean resultsSwitched;

    /** The Chronicle queues, once open. */
    private record Queues(MessageTailer tasks, MessageAppender results) {
    }

    /**
     * Maps the rings the parent created; the queues open later (see above).
     *
     * @param layout   the worker's files
     * @param onOpened told when the queues are open (the worker's start-up stamps)
     * @param now      open the queues here and now, on this thread, not later on a thread of their own
     * @throws IOException if a ring is missing or of another version
     */
    WorkerMessages(QueueLayout layout, Runnable onOpened, boolean now) throws IOException {
        this.taskRing = StartRing.open(layout.ringFile(QueueLayout.TASKS));
        try {
            this.resultRing = StartRing.open(layout.ringFile(QueueLayout.RESULTS));
        } catch (IOException | RuntimeException e) {
            taskRing.close();
            throw e;
        }
        this.layout = layout;
        this.onOpened = onOpened;
        this.tasks = new SwitchingReader(taskRing, this::startOpening, () -> queues.join().tasks());
        if (now) {
            synchronized (this) {
                opening = true;
            }
            open();
            queues.join(); // a queue that cannot open fails the worker's start here
        }
    }

    /** Starts opening the queues on a thread of their own, once. */
    private synchronized void startOpening() {
        if (!opening) {
            opening = true;
            Thread opener = new Thread(this::open, "procpool-queue-opener");
            opener.setDaemon(true);
            opener.start();
        }
    }

    private void open() {
        try {
            MessageTailer tasks = new MessageTailer(layout, QueueLayout.TASKS);
            MessageAppender results;
            try {
                results = new MessageAppender(layout, QueueLayout.RESULTS);
            } catch (RuntimeException | Error e) {
                tasks.close();
                throw e;
            }
            onOpened.run();
            // Chronicle has just loaded JNA: binding the futex costs little now, on this thread. Before the queues
            // are handed over, so that the main thread, which waits for them past the tasks' marker, finds it bound
            // when it next sleeps (it would otherwise sleep on stdin until the pool's next call).
            StatusDescriptor.bindFutex();
            queues.complete(new Queues(tasks, results));
            switchResults();
        } catch (Throwable t) {
            queues.completeExceptionally(t);
        }
    }

    /** Moves results to the queue, if they are not there already. */
    private synchronized void switchResults() {
        if (!resultsSwitched) {
            resultRing.offerSwitch();
            resultsSwitched = true;
        }
    }

    /**
     * Reads what is there without waiting; past the tasks' switch marker, waits for the queues to open.
     *
     * @return whether a whole message is now in {@link #bytes()}
     */
    boolean poll() {
        return tasks.poll();
    }

    /** {@return the buffer holding the message the last successful {@link #poll()} read} */
    byte[] bytes() {
        return tasks.bytes();
    }

    /** {@return that message's length} */
    int length() {
        return tasks.length();
    }

    /**
     * Sends one message to the parent: on the ring while the queues are opening and it fits, else on the queue
     * (waiting for it to open).
     */
    synchronized void write(byte[] message, int messageLength) {
        if (!resultsSwitched) {
            if (!queues.isDone() && resultRing.offer(message, messageLength)) {
                if (++written == OPEN_AFTER_MESSAGES) {
                    startOpening();
                }
                return;
            }
            startOpening();
            queues.join(); // a message too large for the ring waits for the queue
            switchResults();
        }
        queues.join().results().write(message, messageLength);
    }

    @Override
    public void close() {
        taskRing.close();
        resultRing.close();
        Queues open = queues.getNow(null);
        if (open != null) {
            open.tasks().close();
            open.results().close();
        }
    }
}
