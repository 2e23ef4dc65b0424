package io.procpool.launcher;

import io.procpool.worker.internal.transport.MessageAppender;
import io.procpool.worker.internal.transport.MessageTailer;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StartRing;
import io.procpool.worker.internal.transport.StatusDescriptor;
import io.procpool.worker.internal.transport.SwitchingReader;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A worker JVM's channel: its tasks queue (the pool writes), its results queue (the pool reads), both Chronicle
 * queues in the worker's directory, and its mapped {@link StatusDescriptor}. A message to a worker that says it
 * sleeps is followed by a wake-up: through the status's wake word (a futex) once both sides have bound futex
 * wake-ups, else a byte on the worker's stdin, which the process sends.
 *
 * <p>Chronicle's start is most of a worker's, and on a pool's first use much of the parent's too, all of it CPU:
 * so the first messages (set-up, READY, the first chunks and results) cross two small mapped rings
 * ({@link StartRing}) that need nothing but the JDK. When the pool finds the worker idle ({@link #switchTasksOnceOpen})
 * this side opens its queues on a thread of its own and then puts the switch marker in the tasks ring, which makes
 * the worker open its own, in time the pool's calls leave free; a worker that never idles opens them after many
 * messages, and this side then opens its own when it reads the worker's marker. Each direction switches to its
 * queue for good, marked in its ring: the worker switches its results as soon as its queues are open; the tasks
 * switch at the pool's marker, or earlier when a message does not fit in the ring (both sides then wait for their
 * queues). The futex is bound by each side's opening thread, once Chronicle has loaded JNA.
 */
final class ChronicleChannel implements AutoCloseable {
    /** How long a message waits for the pool's side of the queues to open before the worker is given up. */
    private static final long OPEN_TIMEOUT_SECONDS = 60;

    private final StatusDescriptor status;
    private final Runnable wake;
    /** The worker's sleep this side last woke it from; used by the thread that holds the worker, as sends are. */
    private long wokenSleep;
    private final Consumer<String> kill;
    private final StartRing taskRing;
    private final StartRing resultRing;
    private final SwitchingReader results;
    private final CompletableFuture<Queues> queues = new CompletableFuture<>();
    private final QueueLayout layout;
    /** The name of the thread that opens the pool's side of the queues. */
    private final String openerName;
    private final Runnable opened;
    private final java.util.concurrent.atomic.AtomicBoolean opening = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean tasksSwitched;

    /** The pool's side of the Chronicle queues, once open. */
    private record Queues(MessageAppender tasks, MessageTailer results) {
    }

    /**
     * Creates the start-up rings; the pool's side of the queues opens later (see above). The status descriptor was
     * created before.
     *
     * @param openerName the name of the thread that will open the pool's side of the queues
     * @param wake       wakes the worker, for a message sent while it sleeps
     * @param kill       kills the worker, saying why: its queues could not be opened
     * @param opened     told, on the opening thread, when the pool's side of the queues is open
     * @throws IOException if the rings cannot be created
     */
    ChronicleChannel(QueueLayout layout, String openerName, StatusDescriptor status, Runnable wake,
                     Consumer<String> kill, Runnable opened) throws IOException {
        this.status = status;
        this.wake = wake;
        this.kill = kill;
        this.taskRing = StartRing.create(layout.ringFile(QueueLayout.TASKS), StartRing.DEFAULT_CAPACITY);
        try {
            this.resultRing = StartRing.create(layout.ringFile(QueueLayout.RESULTS), StartRing.DEFAULT_CAPACITY);
        } catch (IOException | RuntimeException e) {
            taskRing.close();
            throw e;
        }
        this.layout = layout;
        this.openerName = openerName;
        this.opened = opened;
        // Until the pool's side of the queues is open, what the worker sent past its marker waits in its queue.
        this.results = new SwitchingReader(resultRing, this::startOpening,
                () -> queues.isDone() && !queues.isCompletedExceptionally() ? queues.join().results() : null);
    }

    /** Starts opening the pool's side of the queues on a thread of its own, once. */
    private void startOpening() {
        if (opening.compareAndSet(false, true)) {
            Thread opener = new Thread(this::open, openerName);
            opener.setDaemon(true);
            opener.start();
        }
    }

    private void open() {
        try {
            MessageAppender appender = new MessageAppender(layout, QueueLayout.TASKS);
            try {
                Queues open = new Queues(appender, new MessageTailer(layout, QueueLayout.RESULTS));
                opened.run();
                // Chronicle has just loaded JNA: binding the futex costs little now, on this thread, at an idle
                // moment; from now on the worker may sleep on it, which wakes it in half the time of a byte.
                if (StatusDescriptor.bindFutex()) {
                    status.offerFutexWakes();
                }
                queues.complete(open);
            } catch (RuntimeException | Error e) {
                appender.close();
                throw e;
            }
        } catch (Throwable t) {
            queues.completeExceptionally(t);
            kill.accept("its queues could not be created: " + t);
        }
    }

    void send(byte[] message, int messageLength) {
        if (!tasksSwitched) {
            if (!results.switched() && taskRing.offer(message, messageLength)) {
                wakeIfAsleep();
                return;
            }
            switchTasks();
        }
        Queues open = awaitQueues();
        if (open != null) {
            open.tasks().write(message, messageLength);
            wakeIfAsleep();
        }
    }

    /** The queues, once open; null if they cannot be: the worker is being killed, and the message goes nowhere. */
    private Queues awaitQueues() {
        try {
            return queues.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return null;
        } catch (TimeoutException e) {
            kill.accept("its queues did not open within " + OPEN_TIMEOUT_SECONDS + " s");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void wakeAhead() {
        wakeIfAsleep();
    }

    /**
     * Moves the tasks to the queue for good: the switch marker in the tasks ring, which makes the worker open its
     * queues (it wakes for it), and this side's queues opening on a thread of their own. The sender then waits for
     * them: for a message that does not fit in the ring there is no other way.
     */
    private void switchTasks() {
        taskRing.offerSwitch();
        tasksSwitched = true;
        startOpening();
        wakeIfAsleep();
    }

    /**
     * The pool is idle: moves the tasks to the queue without making any send wait, in two steps. The first call
     * starts opening this side's queues; a later one, once they are open, puts the switch marker in the tasks ring,
     * which makes the worker open its own. Until then messages go on crossing the ring.
     *
     * @return whether the tasks have moved (or the queues failed, and the worker is being killed)
     */
    boolean switchTasksOnceOpen() {
        if (tasksSwitched) {
            return true;
        }
        startOpening();
        if (!queues.isDone()) {
            return false;
        }
        switchTasks();
        return true;
    }

    /**
     * Wakes the worker if it sleeps and this side has not woken it from this sleep yet, once per sleep: through its
     * wake word if it sleeps on it, else with a byte on its stdin.
     */
    private void wakeIfAsleep() {
        long sleep = status.currentSleep();
        if (sleep != 0 && sleep != wokenSleep) {
            wokenSleep = sleep;
            if (!status.wakeFromFutex()) {
                wake.run();
            }
        }
    }

    /**
     * Reads a result. This side's queues open when it reads the worker's marker (its own are open), or to send a
     * message too large for the ring.
     */
    boolean poll() {
        return results.poll();
    }

    byte[] bytes() {
        return results.bytes();
    }

    int length() {
        return results.length();
    }

    void beat(long nowNanos) {
        status.parentHeartbeat(nowNanos);
    }

    long workerHeartbeatNanos() {
        return status.workerHeartbeatNanos();
    }

    long itemStartedNanos() {
        return status.itemStartedNanos();
    }

    long currentChunk() {
        return status.currentChunk();
    }

    long currentItem() {
        return status.currentItem();
    }

    void cancelCall(int slot, long callId) {
        status.cancelCall(slot, callId);
    }

    long skippedChunk() {
        return status.skippedChunk();
    }

    /** Closes the pool's side, after its queues finished opening if they were (they are closed too); quietly. */
    @Override
    public void close() {
        Queues open = opening.get() ? awaitQueues() : null;
        if (open != null) {
            open.results().close();
            open.tasks().close();
        }
        taskRing.close();
        resultRing.close();
        try {
            status.close();
        } catch (IOException e) {
            // The mapping goes with the process anyway.
        }
    }
}
