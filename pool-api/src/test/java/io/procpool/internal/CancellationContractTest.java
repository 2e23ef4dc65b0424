package io.procpool.internal;

import io.procpool.CloseableIterator;
import io.procpool.Pool;
import io.procpool.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancelling a future a pool returned stops its work: chunks not started never run, running ones are stopped (a
 * process pool kills and replaces exactly the workers running them, a thread pool interrupts), no other call fails,
 * and the next call does not wait for the cancelled work. Each test makes its own pool, since stopping work may cost
 * workers. {@code ThreadPool}'s test is here, the process pool's in pool-launcher.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class CancellationContractTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The bound: cancelled work stops within a second. */
    private static final Duration STOPS_WITHIN = Duration.ofSeconds(1);
    private static final long LONG_SLEEP_MS = 60_000;

    /** @return a new pool of {@code workers} workers, from the implementation's factory */
    protected abstract Pool newPool(int workers);

    /** Marks {@code started-item}, sleeps long (marking {@code interrupted-item} if interrupted), returns the item. */
    static Task<Integer, Integer> sleeper(Path dir) {
        String directory = dir.toString();
        return item -> {
            Marks.write(directory, "started", item);
            try {
                Thread.sleep(LONG_SLEEP_MS);
            } catch (InterruptedException e) {
                Marks.write(directory, "interrupted", item);
                throw e;
            }
            Marks.write(directory, "finished", item);
            return item;
        };
    }

    static Task<Integer, Integer> square() {
        return x -> x * x;
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toList());
    }

    @Test
    void aCancelledMapAsyncShouldStopItsItemsAndNeitherDelayNorFailOtherCalls(@TempDir Path dir) throws Exception {
        Pool pool = newPool(2);
        try {
            CompletableFuture<List<Integer>> cancelled = pool.mapAsync(sleeper(dir), range(0, 4), 1);
            Marks.awaitCount(dir, "started", 2, WAIT);
            CompletableFuture<List<Integer>> other = pool.mapAsync(square(), range(0, 20), 1);

            long cancelledAt = System.nanoTime();
            assertTrue(cancelled.cancel(true));
            assertTrue(cancelled.isCancelled());
            assertThrows(CancellationException.class, cancelled::join);
            for (int item = 0; item < 4; item++) {
                if (Marks.exists(dir, "started", item)) {
                    Marks.awaitStopped(dir, item, STOPS_WITHIN);
                }
            }

            assertEquals(range(0, 20).stream().map(x -> x * x).collect(Collectors.toList()),
                    other.get(WAIT.toSeconds(), TimeUnit.SECONDS), "another call is not failed by the cancel");
            assertEquals(49, pool.apply(square(), 7), "the next call runs");
            assertTrue(System.nanoTime() - cancelledAt < WAIT.toNanos(),
                    "the next calls did not wait for the cancelled items' sleep");
            pool.close();
            assertEquals(2, Marks.count(dir, "started"), "the items not started when cancelled never ran");
            assertEquals(0, Marks.count(dir, "finished"));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void aCancelledApplyAsyncShouldStopItsTask(@TempDir Path dir) throws Exception {
        Pool pool = newPool(1);
        try {
            CompletableFuture<Integer> future = pool.applyAsync(sleeper(dir), 5);
            Marks.awaitCount(dir, "started", 1, WAIT);
            assertTrue(future.cancel(true));
            Marks.awaitStopped(dir, 5, STOPS_WITHIN);
            assertEquals(16, pool.apply(square(), 4));
            assertFalse(Marks.exists(dir, "finished", 5));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void orTimeoutShouldBeATimeLimitPerCall(@TempDir Path dir) throws Exception {
        Pool pool = newPool(1);
        try {
            CompletableFuture<List<Integer>> limited = pool.mapAsync(sleeper(dir), range(0, 2), 1)
                    .orTimeout(300, TimeUnit.MILLISECONDS);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> assertTimeoutPreemptively(WAIT, limited::join));
            assertInstanceOf(TimeoutException.class, e.getCause());
            if (Marks.exists(dir, "started", 0)) {
                Marks.awaitStopped(dir, 0, STOPS_WITHIN);
            }
            assertEquals(9, pool.apply(square(), 3), "the pool goes on");
            pool.close();
            assertFalse(Marks.exists(dir, "started", 1), "the second item never started");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void closingAnImapIteratorShouldStopReadingItsItemsAndLeakNothing() {
        Pool pool = newPool(2);
        try {
            AtomicLong reads = new AtomicLong();
            CloseableIterator<Integer> results = pool.imap(square(), io.procpool.PoolContractTest.endless(reads), 1);
            assertEquals(0, results.next());
            assertEquals(1, results.next());
            results.close();
            assertFalse(results.hasNext(), "a closed iterator has no more results");
            long readAtClose = reads.get();
            assertEquals(List.of(0, 1, 4), pool.map(square(), range(0, 3)), "the pool goes on");
            assertEquals(readAtClose, reads.get(), "no item was read after close()");
            results.close(); // twice is harmless
            assertTimeoutPreemptively(WAIT, pool::close, "the abandoned call holds nothing that close() waits for");
        } finally {
            pool.terminate();
        }
    }
}
