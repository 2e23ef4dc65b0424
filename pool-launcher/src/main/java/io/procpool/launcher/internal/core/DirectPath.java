package io.procpool.launcher.internal.core;

import io.procpool.PoolException;
import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a blocking call of one chunk on the caller's own thread when a worker is idle: the caller borrows the slot
 * from the conductor, has its channel encode and send the chunk, and spins, then yields, on the slot's reports. The
 * round trip is then two threads (this one and the worker's), not four hand-offs through the conductor's thread,
 * each of which could cost a park and an unpark (76 and 25-36 µs on a small virtual machine: more than the trip).
 *
 * <p>When it cannot finish (the worker died or was killed, the pool is terminating, the caller was interrupted,
 * the worker retires), it hands the call and the slot to the conductor, which then treats the chunk exactly as one
 * it had sent itself: retried, failed with the worker's crash report, or its late result dropped. When no slot is
 * offered (the pool is busy, or stopping) the call goes through the conductor as any other.
 */
public final class DirectPath {
    /** Past the yielding phase a waiting caller parks for at most this long: the worker does not wake it. */
    private static final long MAX_WAIT_PARK_NANOS = 1_000_000;
    /**
     * A caller yields this long before it parks: a worker that slept must first be woken, which on a small virtual
     * machine takes 100-300 µs, and a parked caller would add as much again. Only the caller's own core is spent,
     * and only while one worker runs its call.
     */
    private static final long YIELD_PHASE_NANOS = 1_000_000;

    private final CoreSettings settings;
    private final PoolCounters counters;
    /** Collectors for callers' threads, reused: one per thread driving a slot at a time. */
    private final ConcurrentLinkedQueue<Collector> collectors = new ConcurrentLinkedQueue<>();
    private final LongAdder callsRun = new LongAdder();

    /**
     * Creates the fast path of a pool.
     *
     * @param settings the pool's settings
     * @param counters the pool's counters
     */
    public DirectPath(CoreSettings settings, PoolCounters counters) {
        this.settings = settings;
        this.counters = counters;
    }

    /**
     * Runs {@code active} on this thread if a slot is idle.
     *
     * @param conductor the pool's conductor
     * @param active    the call, of one chunk
     * @return {@code false} if no slot was offered: the caller submits the call to the conductor instead
     */
    public boolean tryRun(Conductor conductor, ActiveCall active) {
        if (!active.call().isSingleChunk()) {
            return false;
        }
        WorkerSlot worker = conductor.borrowIdleWorker();
        if (worker == null) {
            return false;
        }
        Collector collector = collectors.poll();
        if (collector == null) {
            collector = new Collector(counters, chunk -> { }, slot -> { });
        }
        try {
            callsRun.increment();
            run(conductor, active, worker, collector);
        } finally {
            collectors.add(collector);
        }
        return true;
    }

    /** {@return how many calls ran on their caller's thread (for tests)} */
    public long callsRun() {
        return callsRun.sum();
    }

    private void run(Conductor conductor, ActiveCall active, WorkerSlot worker, Collector collector) {
        Call call = active.call();
        Chunk chunk = call.nextChunk();
        if (chunk == null) {
            worker.giveBack(true); // ended before it began (a cancelled future): nothing to run
            return;
        }
        PoolException unsent = null;
        try {
            int bad = Scheduler.send(worker, active, chunk, conductor.nextChunkSeq(), counters);
            if (bad >= 0) {
                unsent = worker.channel().itemFailure(chunk, bad);
            }
        } catch (PoolException e) {
            unsent = e; // no room for it (a full file system)
        }
        if (unsent != null) {
            worker.giveBack(true); // nothing reached it: it is still idle
            Scheduler.failUnsent(chunk, unsent, counters);
            return;
        }
        IdleStrategy idle = new IdleStrategy(settings.idleMode(), IdleStrategy.SPIN_PHASE_NANOS, YIELD_PHASE_NANOS,
                MAX_WAIT_PARK_NANOS, System::nanoTime);
        while (!worker.inFlight.isEmpty()) {
            if (collector.collect(worker)) {
                idle.reset();
            } else if (worker.exitSeen || worker.channel().killReason() != null || conductor.isTerminating()
                    || Thread.currentThread().isInterrupted()) {
                // The conductor takes it from here; an interrupted caller's wait then ends in AbstractPool.await.
                handOver(conductor, active, worker);
                return;
            } else if (idle.spinOrYield()) {
                LockSupport.parkNanos(idle.nextParkNanos(true));
            }
        }
        boolean fit = worker.takesChunks() && !worker.exitSeen
                && (settings.maxTasksPerChild() == 0 || worker.itemsSent < settings.maxTasksPerChild());
        if (fit) {
            worker.giveBack(true);
        } else {
            // Retiring, or sent something the pool could not read: the conductor replaces it.
            worker.giveBack(false);
            conductor.wake();
        }
    }

    private static void handOver(Conductor conductor, ActiveCall active, WorkerSlot worker) {
        conductor.adopt(active);
        worker.giveBack(false);
        conductor.wake();
    }
}
