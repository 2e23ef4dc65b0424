package io.procpool;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Pool} contract on {@link ThreadPool}, and what is particular to threads.
 */
class ThreadPoolTest extends PoolContractTest {
    private static final String THREAD_PREFIX = "procpool-pool-";

    @Override
    protected Pool newPool(int workers) {
        return ThreadPool.create(workers);
    }

    @Test
    void shouldRejectFewerThanOneThread() {
        assertMentionsNumber(assertThrows(IllegalArgumentException.class, () -> ThreadPool.create(0)).getMessage(),
                0);
        assertMentionsNumber(assertThrows(IllegalArgumentException.class, () -> ThreadPool.create(-1)).getMessage(),
                -1);
    }

    @Test
    void shouldRunTasksOnDaemonThreadsThatAreGoneAfterClose() throws InterruptedException {
        ThreadPool pool = ThreadPool.create(3);
        Task<Integer, Thread> currentThread = x -> Thread.currentThread();
        Set<Thread> used = new HashSet<>(pool.map(currentThread, range(0, 300), 1));
        assertFalse(used.isEmpty());
        for (Thread thread : used) {
            assertTrue(thread.getName().startsWith(THREAD_PREFIX), thread.getName());
            assertTrue(thread.isDaemon(), thread.getName() + " should be a daemon thread");
        }
        // The pool's own prefix, "procpool-pool-<n>-thread-", so that other pools' threads do not count.
        String name = used.iterator().next().getName();
        String poolPrefix = name.substring(0, name.lastIndexOf('-') + 1);
        assertTrue(used.stream().allMatch(t -> t.getName().startsWith(poolPrefix)), used::toString);

        assertTimeoutPreemptively(CALL_TIMEOUT, pool::close);
        // close() returns once the executor has terminated; a thread may take a moment more to die.
        for (Thread thread : used) {
            thread.join(CALL_TIMEOUT.toMillis());
            assertFalse(thread.isAlive(), thread.getName() + " should be gone after close()");
        }
        Set<Thread> poolThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(poolPrefix)).collect(Collectors.toSet());
        for (Thread thread : poolThreads) {
            thread.join(CALL_TIMEOUT.toMillis());
            assertFalse(thread.isAlive(), thread.getName() + " should be gone after close()");
        }
    }

    /**
     * close() waits for the threads themselves, not only for the executor's termination, which comes before each
     * thread has counted itself out: without that wait about one pool in seven still showed live workers here.
     */
    @Test
    void shouldHaveNoLiveThreadOnceCloseReturns() {
        for (int round = 0; round < 100; round++) {
            ThreadPool pool = ThreadPool.create(2);
            Set<Thread> used = new HashSet<>(pool.map(x -> Thread.currentThread(), range(0, 4), 1));
            pool.close();
            assertEquals(0, pool.stats().liveWorkers(), "live workers after close(), round " + round);
            for (Thread thread : used) {
                assertFalse(thread.isAlive(), thread.getName() + " is alive after close(), round " + round);
            }
        }
    }

    @Test
    void shouldCountExactlyInStatsOnAFreshPool() {
        try (ThreadPool pool = ThreadPool.create(2)) {
            PoolStats empty = pool.stats();
            assertEquals(0, empty.tasksSubmitted());
            assertEquals(0, empty.tasksCompleted());
            assertEquals(2, empty.workersStarted());

            pool.map(SQUARE, range(0, 100), 10);
            PoolStats afterMap = pool.stats();
            assertEquals(100, afterMap.tasksSubmitted(), afterMap::toString);
            assertEquals(100, afterMap.tasksCompleted(), afterMap::toString);
            assertEquals(0, afterMap.tasksFailed(), afterMap::toString);
            assertEquals(10, afterMap.chunksCompleted(), afterMap::toString);
            assertEquals(0, afterMap.bytesToWorkers(), "nothing crosses a process boundary");
            assertEquals(0, afterMap.bytesFromWorkers(), "nothing crosses a process boundary");

            assertThrows(TaskFailedException.class, () -> pool.apply(squareFailingOn(1), 1));
            PoolStats afterFailure = pool.stats();
            assertEquals(101, afterFailure.tasksCompleted(), afterFailure::toString);
            assertEquals(1, afterFailure.tasksFailed(), afterFailure::toString);
            assertEquals(11, afterFailure.chunksCompleted(), afterFailure::toString);
        }
    }

    /**
     * ThreadPool reads a lazy call's first chunks as it is submitted, so here every item has been read before
     * shutdown() (though the end of the items has not been seen yet): nothing was cut off, and every result must
     * come out, with no "shut down before every item was read" failure after them.
     */
    @Test
    void shouldDeliverEveryResultOfAnImapWhoseItemsWereAllReadBeforeShutdown() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            Iterator<Integer> results = pool.imap(slowSquare(100), range(0, 4));
            pool.shutdown();
            List<Integer> delivered = assertTimeoutPreemptively(CALL_TIMEOUT, () -> drain(results));
            assertEquals(List.of(0, 1, 4, 9), delivered);
            assertTimeoutPreemptively(CALL_TIMEOUT, pool::join);
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }

    @Test
    void shouldStillDeliverWhatWasReadWhenShutdownCutsAnImapShort() {
        ThreadPool pool = ThreadPool.create(1);
        try {
            Iterator<Integer> results = pool.imap(SQUARE, range(0, 1000));
            assertEquals(0, results.next());
            pool.shutdown();
            List<Integer> delivered = new java.util.ArrayList<>();
            PoolException cut = assertThrows(PoolException.class, () -> {
                while (results.hasNext()) {
                    delivered.add(results.next());
                }
            });
            assertTrue(cut.getMessage().contains("shut down"), cut.getMessage());
            assertEquals(squares(range(1, 1 + delivered.size())), delivered);
            assertFalse(results.hasNext());
            assertTimeoutPreemptively(Duration.ofSeconds(5), pool::join);
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }
}
