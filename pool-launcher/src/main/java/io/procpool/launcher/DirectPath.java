package io.procpool.launcher;

import io.procpool.internal.Call;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.serial.ValueSerializers;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a blocking call of one chunk on the caller's own thread when a worker is idle: the caller borrows the worker
 * from the loop, serialises and appends the chunk itself, and spins, then yields, on the worker's results queue.
 * The round trip is then two threads (this one and the worker's), not four hand-offs through the loop thread, each
 * of which could cost a park and an unpark (76 and 25-36 µs on a small virtual machine: more than the whole trip).
 *
 * <p>When it cannot finish (the worker died or was killed, the pool is terminating, the caller was interrupted,
 * the worker retires), it hands the call and the worker to the loop, which then treats the chunk exactly as one
 * it had sent itself: retried, failed with the worker's crash report, or its late result dropped. When no worker
 * is offered (the pool is busy, or stopping) the call goes through the loop as any other.
 */
final class DirectPath {
    /** Past the yielding phase a waiting caller parks for at most this long: the worker does not wake it. */
    private static final long MAX_WAIT_PARK_NANOS = 1_000_000;
    /**
     * A caller yields this long before it parks: a worker that slept must first be woken, which on a small virtual
     * machine takes 100-300 µs, and a parked caller would add as much again. Only the caller's own core is spent,
     * and only while one worker runs its call.
     */
    private static final long YIELD_PHASE_NANOS = 1_000_000;

    private final PoolConfig config;
    private final PoolCounters counters;
    private final ConcurrentLinkedQueue<Lane> lanes = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.LongAdder callsRun = new java.util.concurrent.atomic.LongAdder();

    /** What a thread needs to drive a worker: a serializer of its own, with the encoder and decoder around it. */
    private record Lane(TasksProxy proxy, Collector collector) {
    }

    DirectPath(PoolConfig config, PoolCounters counters) {
        this.config = config;
        this.counters = counters;
    }

    /**
     * Runs {@code active} here if a worker is idle.
     *
     * @return {@code false} if no worker was offered: the caller submits the call to the loop instead
     */
    boolean tryRun(PoolLoop loop, ActiveCall active) {
        if (!active.call().isSingleChunk()) {
            return false;
        }
        WorkerProcess worker = loop.borrowIdleWorker();
        if (worker == null) {
            return false;
        }
        Lane lane = lanes.poll();
        if (lane == null) {
            lane = newLane(loop);
        }
        try {
            callsRun.increment();
            run(loop, active, worker, lane);
        } finally {
            lanes.add(lane);
        }
        return true;
    }

    /** {@return how many calls ran on their caller's thread (for tests)} */
    long callsRun() {
        return callsRun.sum();
    }

    private Lane newLane(PoolLoop loop) {
        TasksProxy proxy = new TasksProxy(ValueSerializers.create(config.serialization(), config.classFilter(),
                loop.directory(), loop.queueSizes()), counters);
        return new Lane(proxy, new Collector(counters, proxy.values(), chunk -> { }, () -> { }));
    }

    private void run(PoolLoop loop, ActiveCall active, WorkerProcess worker, Lane lane) {
        Call call = active.call();
        Chunk chunk = call.nextChunk();
        if (chunk == null) {
            worker.giveBack(true); // ended before it began (a cancelled future): nothing to run
            return;
        }
        io.procpool.PoolException unsent = null;
        try {
            int bad = lane.proxy().sendChunk(worker, active, chunk, loop.nextChunkSeq());
            if (bad >= 0) {
                unsent = lane.proxy().itemFailure(chunk, bad);
            }
        } catch (io.procpool.PoolException e) {
            unsent = e; // no room for it (a full file system)
        }
        if (unsent != null) {
            worker.giveBack(true); // nothing reached it: it is still idle
            lane.proxy().failUnsent(chunk, unsent);
            return;
        }
        IdleStrategy idle = new IdleStrategy(config.idleMode(), IdleStrategy.SPIN_PHASE_NANOS, YIELD_PHASE_NANOS,
                MAX_WAIT_PARK_NANOS, System::nanoTime);
        while (!worker.inFlight.isEmpty()) {
            if (lane.collector().collect(worker)) {
                idle.reset();
            } else if (worker.exitSeen || worker.killReason != null || loop.isTerminating()
                    || Thread.currentThread().isInterrupted()) {
                // The loop takes it from here; an interrupted caller's wait then ends in AbstractPool.await.
                handOver(loop, active, worker);
                return;
            } else if (idle.spinOrYield()) {
                LockSupport.parkNanos(idle.nextParkNanos(true));
            }
        }
        boolean fit = worker.takesChunks() && !worker.exitSeen
                && (config.maxTasksPerChild() == 0 || worker.itemsSent < config.maxTasksPerChild());
        if (fit) {
            worker.giveBack(true);
        } else {
            // Retiring, or sent something the pool could not read: the loop replaces it.
            worker.giveBack(false);
            loop.wake();
        }
    }

    private static void handOver(PoolLoop loop, ActiveCall active, WorkerProcess worker) {
        loop.adopt(active);
        worker.giveBack(false);
        loop.wake();
    }
}
