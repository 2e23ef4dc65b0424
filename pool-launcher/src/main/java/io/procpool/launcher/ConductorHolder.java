package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.internal.AbstractPool;
import io.procpool.internal.PoolBeans;
import io.procpool.internal.PoolCounters;
import io.procpool.internal.PoolNames;
import io.procpool.launcher.internal.core.Conductor;
import io.procpool.launcher.internal.core.CoreSettings;
import io.procpool.worker.internal.logging.Quiet;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.WorkerMain;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A process pool's conductor, started once: at once for a pool made in an application, at its first call for a pool
 * made inside a worker. A pool in a static field of the class whose lambdas run in it is made again in every worker
 * that loads the class; started eagerly, two workers would each start two more, and so on ({@code N + N²} JVMs).
 * Python asks for an {@code if __name__ == "__main__"} guard; this needs none. It answers the pool's lifecycle
 * questions for either case, and owns the JVM shutdown hook that stops the workers when the application exits.
 *
 * <p>Owner: the conductor is written once, under {@link #startLock}; read by any thread through a volatile field.
 */
final class ConductorHolder {
    private static final long THREAD_EXIT_WAIT_MS = 5_000;

    private final PoolConfig config;
    private final CoreSettings settings;
    private final PoolCounters counters;
    private final Thread shutdownHook;
    /** The pool's JMX bean, registered from the start for a pool built with {@code jmx(true)}; null otherwise. */
    private final PoolBeans.Registration mxBean;
    private final Object startLock = new Object();
    /** Null until the workers start; written once, under {@link #startLock}. */
    private volatile Conductor conductor;
    /** Shut down or terminated before its workers ever started (a pool made inside a worker and never used). */
    private volatile boolean stoppedBeforeStart;
    private volatile long startupNanos;
    /** When the workers' start began ({@link Protocol#epochMicros}); 0 before. */
    private volatile long startupMicros;

    ConductorHolder(PoolConfig config, CoreSettings settings, PoolCounters counters) {
        this.config = config;
        this.settings = settings;
        this.counters = counters;
        this.shutdownHook = new Thread(this::terminateQuietly, PoolNames.thread(config.name(), "shutdown-hook"));
        // First: a name another pool's bean holds is refused before anything starts.
        this.mxBean = config.jmx() ? PoolBeans.register(config.name(), counters::snapshot) : null;
    }

    /** Starts the workers now, unless this JVM is a worker: a pool made there starts at its first call. */
    void startUnlessInWorker() {
        if (!Boolean.getBoolean(WorkerMain.IN_WORKER_PROPERTY)) {
            start();
        }
    }

    /** {@return the conductor, or null before the workers started} */
    Conductor current() {
        return conductor;
    }

    /** {@return how long the workers took to start, or 0 before they did} */
    long startupNanos() {
        return startupNanos;
    }

    /**
     * The conductor to hand a call to: started now if the pool has not started yet.
     *
     * @throws PoolException         if the pool is broken, saying why, or its workers could not start
     * @throws IllegalStateException if the pool takes no new work
     */
    Conductor running() {
        Conductor current = conductor;
        Conductor running = current != null ? current : start();
        PoolException broken = running.broken();
        if (broken != null) {
            throw new PoolException(broken.getMessage(), broken);
        }
        if (running.isStopping()) {
            throw new IllegalStateException("the pool is shut down and accepts no new work");
        }
        return running;
    }

    /** Refuses a blocking call on the pool from its conductor's thread, which would wait for itself. */
    void checkMayBlock() {
        if (isConductorThread()) {
            throw new IllegalStateException("a blocking call on the pool from one of its own callbacks would "
                    + "wait for itself forever; use the ...Async variants in callbacks, or thenApplyAsync");
        }
    }

    /** {@return whether the calling thread is the conductor's: a blocking call there would wait for itself} */
    boolean isConductorThread() {
        Conductor current = conductor;
        return current != null && Thread.currentThread() == current.thread();
    }

    /** {@return the start-up of the workers the pool started with; empty until they have started} */
    Optional<StartupBreakdown> startupBreakdown() {
        Conductor started = conductor;
        long nanos = startupNanos;
        if (started == null || nanos == 0) {
            return Optional.empty();
        }
        return Optional.of(StartupBreakdown.of(startupMicros, nanos, started.firstWorkers().stream()
                .map(slot -> (WorkerProcess) slot.channel()).collect(Collectors.toList())));
    }

    /**
     * Starts the workers, once, and waits until each is ready.
     *
     * @return the running conductor
     * @throws IllegalStateException if the pool was shut down before it ever started
     * @throws PoolException         if the workers could not start
     */
    Conductor start() {
        synchronized (startLock) {
            if (conductor != null) {
                return conductor;
            }
            if (stoppedBeforeStart) {
                throw new IllegalStateException("the pool is shut down and accepts no new work");
            }
            long start = System.nanoTime();
            startupMicros = Protocol.epochMicros();
            PoolDirectory directory = PoolDirectory.create(config.queueRoot(), config.processes());
            Conductor created;
            try {
                created = new Conductor(config.name(), settings,
                        new WorkerLauncher(config, directory, counters), counters);
            } catch (RuntimeException | Error e) {
                directory.delete();
                throw e;
            }
            // Chronicle's loggers are set to WARN on this thread, after the workers were launched (their boot is the
            // long part) and before either side's queues open on threads of their own (see Quiet.loggers).
            Quiet.loggers();
            conductor = created;
            startLock.notifyAll();
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            created.start();
            awaitStart(created);
            startupNanos = System.nanoTime() - start;
            return created;
        }
    }

    private void awaitStart(Conductor started) {
        try {
            started.started().get(config.startTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            terminateQuietly();
            Throwable cause = e.getCause();
            throw cause instanceof PoolException ? (PoolException) cause
                    : new PoolException("the pool could not start: " + cause, cause);
        } catch (TimeoutException e) {
            terminateQuietly();
            throw new PoolException("the pool's workers did not start within " + config.startTimeout());
        } catch (InterruptedException e) {
            terminateQuietly();
            Thread.currentThread().interrupt();
            throw new PoolException("interrupted while the pool was starting", e);
        }
    }

    /** {@return the running conductor, or null after making sure a pool that never started never will} */
    private Conductor stopBeforeStart() {
        synchronized (startLock) {
            if (conductor == null) {
                stoppedBeforeStart = true;
                startLock.notifyAll();
            }
            return conductor;
        }
    }

    /**
     * Asks the pool to stop: at once, failing unfinished work, or once its work is done; a pool that never started
     * never will.
     *
     * @param now whether to terminate rather than shut down
     */
    void shutdown(boolean now) {
        if (now) {
            withdrawMXBean();
        }
        Conductor started = stopBeforeStart();
        if (started != null && now) {
            started.requestTerminate();
        } else if (started != null) {
            started.requestShutdown();
        }
    }

    /** {@return whether the pool takes no new work} */
    boolean isShutdown() {
        synchronized (startLock) {
            return conductor == null ? stoppedBeforeStart : conductor.isStopping();
        }
    }

    /** {@return whether the pool has stopped: its workers and threads are gone} */
    boolean isTerminated() {
        synchronized (startLock) {
            return conductor == null ? stoppedBeforeStart : conductor.stopped().isDone();
        }
    }

    /**
     * Waits until the pool, shut down, has stopped; a pool that never started was shut down before its start.
     *
     * @throws IllegalStateException if the pool was neither shut down nor terminated
     */
    void join() {
        Conductor started = conductor;
        if (started == null ? !stoppedBeforeStart : !started.isStopping()) {
            throw new IllegalStateException("join() needs shutdown() or terminate() first");
        }
        if (started == null) {
            withdrawMXBean();
            return;
        }
        checkMayBlock();
        boolean interrupted = false;
        while (true) {
            try {
                started.stopped().get();
                // The conductor completes stopped() as its last act: wait for its thread to be gone too, so that
                // nothing of the pool's runs once join() returns.
                started.thread().join(THREAD_EXIT_WAIT_MS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        removeShutdownHook();
        withdrawMXBean();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits at most {@code nanos} for the pool to stop; a pool made inside a worker that has not started yet waits to
     * start or to be shut down.
     *
     * @return whether the pool stopped in time
     */
    boolean awaitTermination(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        Conductor started;
        synchronized (startLock) {
            while ((started = conductor) == null && !stoppedBeforeStart) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(startLock, left);
            }
        }
        return started == null || AbstractPool.awaitStopped(started.stopped(), deadline - System.nanoTime());
    }

    /** Terminates and waits a little for the workers to go: for a failed start, and for the JVM's exit. */
    void terminateQuietly() {
        shutdown(true);
        Conductor started = conductor;
        if (started == null) {
            return;
        }
        try {
            started.stopped().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // Workers also watch this process and exit on their own when it is gone.
        }
        removeShutdownHook();
    }

    /** The bean goes as the pool is joined or terminated (a failed start terminates it), once. */
    private void withdrawMXBean() {
        if (mxBean != null) {
            mxBean.close();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running or ran.
        }
    }
}
