package io.procpool.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.procpool.launcher.internal.core.Conductor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * How a {@link ClusterPool} ends, once its core has stopped (its work done after a shutdown, or terminated): the
 * client disconnects and the local members, if the pool started any, are stopped, off the thread that stopped the
 * core; {@code join()} waits for that. This runs once per pool, at its end; it lives apart from the pool, whose own
 * source is what runs while the pool is in use.
 */
final class ClusterStop {
    private final HazelcastInstance client;
    private final LocalMembers local;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    /**
     * Makes the end of a pool.
     *
     * @param client the pool's client
     * @param local  the members the pool started, or {@code null} if it joined a running cluster
     */
    ClusterStop(HazelcastInstance client, LocalMembers local) {
        this.client = client;
        this.local = local;
    }

    /**
     * Stops everything once {@code conductor} has stopped, on a thread of its own.
     *
     * @param conductor the pool's core
     * @param kill       asked then: whether to kill the local members rather than stop them gently
     * @param threadName the name of the thread that stops everything
     */
    void after(Conductor conductor, BooleanSupplier kill, String threadName) {
        conductor.stopped().whenComplete((done, failure) -> {
            Thread closer = new Thread(() -> stopEverything(kill.getAsBoolean()), threadName);
            closer.setDaemon(true);
            closer.start();
        });
    }

    /**
     * Disconnects, then stops the local members: gently after a shutdown, killed after a terminate, since tasks on
     * a member's threads cannot be stopped otherwise. The client goes first, so that it does not see its members go
     * and try to reconnect.
     */
    private void stopEverything(boolean kill) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        try {
            client.getLifecycleService().terminate();
        } finally {
            try {
                if (local != null && kill) {
                    local.killAll();
                } else if (local != null) {
                    local.close();
                }
            } finally {
                stopped.complete(null);
            }
        }
    }

    /** {@return completes once the client is gone and the local members have exited} */
    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /**
     * Waits until everything has stopped, and for the core's thread, for {@code join()}; an interrupt is kept for
     * the caller and does not cut the wait short.
     *
     * @param conductorThread the core's thread
     */
    void await(Thread conductorThread) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    stopped.get();
                    conductorThread.join(TimeUnit.SECONDS.toMillis(5));
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
