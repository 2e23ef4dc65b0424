package io.procpool;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The semantics every {@link Pool} must have, checked against whatever {@link #newPool(int)} returns. It is shipped
 * in pool-api's test-jar so that each implementation runs it: {@code ThreadPoolTest} here, the process pool's test
 * in pool-launcher.
 *
 * <p>Rules this class keeps so that it also holds for a pool whose workers are other JVMs:
 * <ul>
 *   <li>every {@link Task} is a serialisable lambda made in a static method or field (so it never captures
 *       {@code this}) or a static nested class, and captures only serialisable values;</li>
 *   <li>no task reads or writes static mutable state, and no test assumes a task runs in the test's JVM (what the
 *       parent JVM does, such as reading an {@link Iterable}, may be observed from the test);</li>
 *   <li>few pools: one shared pool of 2 workers for every stateless test, created in {@link #createSharedPool()};
 *       only the lifecycle tests, and one whose failure would be a deadlock, make their own;</li>
 *   <li>nothing waits with {@code Thread.sleep}: tests wait on futures and iterators with timeouts. Tasks may sleep
 *       to be slow, which is not synchronisation.</li>
 * </ul>
 * Whether a factory rejects fewer than 1 worker is left to each implementation's own test, since factories differ.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class PoolContractTest {

    /** How long a call that must complete may take before the test fails instead of hanging. */
    protected static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    /** How soon after {@code terminate()} unfinished work must have failed. */
    protected static final Duration PROMPTLY = Duration.ofSeconds(5);

    /** How many items an endless {@code imap} may read beyond what its caller took. */
    protected static final long READ_AHEAD_BOUND = 1000;

    // ------------------------------------------------------------------------------------------------------------
    // Tasks: static, serialisable, capturing only serialisable values.

    protected static final Task<Integer, Integer> SQUARE = x -> x * x;

    protected static final Task<Integer, Integer> INCREMENT = x -> x + 1;

    protected static final Task<Object, String> TO_STRING = x -> String.valueOf(x);

    protected static final Task<Object, Object> IDENTITY = x -> x;

    protected static final Task<Object, Object> ALWAYS_NULL = x -> null;

    /** Names the worker running the task: its process and thread. Items of one chunk run on one worker. */
    protected static final Task<Object, String> WORKER_IDENTITY =
            x -> ProcessHandle.current().pid() + "/" + Thread.currentThread().getName();

    /** Squares {@code x}, except that it throws an {@link IllegalStateException} for {@code bad}. */
    protected static Task<Integer, Integer> squareFailingOn(int bad) {
        String message = "item " + bad + " is bad";
        return x -> {
            if (x == bad) {
                throw new IllegalStateException(message);
            }
            return x * x;
        };
    }

    /** Sleeps {@code millis} (to be slow, not to synchronise), then squares. */
    protected static Task<Integer, Integer> slowSquare(long millis) {
        return x -> {
            Thread.sleep(millis);
            return x * x;
        };
    }

    /** Squares, sleeping longer for lower items, so that later items finish first. */
    protected static Task<Integer, Integer> squareSlowerForLowerItems(int n, long millisPerStep) {
        return x -> {
            Thread.sleep((n - x) * millisPerStep);
            return x * x;
        };
    }

    /** Squares, sleeping {@code millis} on item 0 only. */
    protected static Task<Integer, Integer> squareSlowOnZero(long millis) {
        return x -> {
            if (x == 0) {
                Thread.sleep(millis);
            }
            return x * x;
        };
    }

    /** Blocks for 10 s: work that only {@code terminate()} can end in time. */
    protected static Task<Integer, Integer> blocking() {
        return x -> {
            Thread.sleep(10_000);
            return x;
        };
    }

    /** Returns {@code 100 * x + tag}, so that each caller's results are its own. */
    protected static Task<Integer, Integer> tagged(int tag) {
        return x -> 100 * x + tag;
    }

    /** A lambda that throws, to find its frame in the stack trace that comes back. */
    protected static Task<Integer, Integer> throwingLambda() {
        return x -> {
            throw new IllegalStateException("thrown by a lambda on " + x);
        };
    }

    protected static Task<Integer, Integer> throwingWithCause() {
        return x -> {
            throw new IllegalStateException("outer " + x, new IllegalArgumentException("inner " + x));
        };
    }

    protected static Task<Integer, Integer> throwingChecked() {
        return x -> {
            throw new CustomTaskException("custom " + x);
        };
    }

    protected static Task<Integer, Integer> throwingError() {
        return x -> {
            throw new AssertionError("error " + x);
        };
    }

    /** A task class (not a lambda) that throws from {@link #apply} for one item. */
    protected static final class ThrowingTask implements Task<Integer, Integer> {
        private static final long serialVersionUID = 1L;

        private final int failOn;

        public ThrowingTask(int failOn) {
            this.failOn = failOn;
        }

        @Override
        public Integer apply(Integer x) {
            if (x == failOn) {
                throw new UnsupportedOperationException("ThrowingTask refuses " + x);
            }
            return x;
        }
    }

    /** A checked exception of the test's own, which the parent can rebuild. */
    public static final class CustomTaskException extends Exception {
        private static final long serialVersionUID = 1L;

        public CustomTaskException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The shared pool.

    private Pool shared;

    /**
     * @return a new pool of {@code workers} workers, from the implementation's factory
     */
    protected abstract Pool newPool(int workers);

    @BeforeAll
    protected void createSharedPool() {
        shared = newPool(2);
    }

    @AfterAll
    protected void closeSharedPool() {
        if (shared != null) {
            Pool pool = shared;
            shared = null;
            assertTimeoutPreemptively(CALL_TIMEOUT, pool::close, "close() of the shared pool did not return");
        }
    }

    /**
     * @return the pool of 2 workers shared by the stateless tests
     */
    protected Pool pool() {
        return shared;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers.

    protected static List<Integer> range(int fromInclusive, int toExclusive) {
        return IntStream.range(fromInclusive, toExclusive).boxed().collect(Collectors.toList());
    }

    protected static List<Integer> squares(List<Integer> items) {
        return items.stream().map(x -> x * x).collect(Collectors.toList());
    }

    /** Reads an iterator to its end. */
    protected static <T> List<T> drain(Iterator<T> iterator) {
        List<T> values = new ArrayList<>();
        while (iterator.hasNext()) {
            values.add(iterator.next());
        }
        return values;
    }

    /** Waits for a future's value, failing the test after {@link #CALL_TIMEOUT}. */
    protected static <T> T await(Future<T> future) {
        return await(future, CALL_TIMEOUT);
    }

    protected static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for a future to fail, and returns the cause of its {@link ExecutionException}. */
    protected static Throwable failureOf(Future<?> future) {
        return failureOf(future, CALL_TIMEOUT);
    }

    protected static Throwable failureOf(Future<?> future, Duration timeout) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> future.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                "the future should have failed within " + timeout);
        assertNotNull(e.getCause(), "ExecutionException without a cause");
        return e.getCause();
    }

    /** Checks that the pool still does work correctly, as after a failure. */
    protected static void assertPoolUsable(Pool pool) {
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49), pool.map(SQUARE, range(0, 8)),
                "the pool should stay usable");
        assertEquals(Integer.valueOf(49), pool.apply(SQUARE, 7), "the pool should stay usable");
    }

    /**
     * Checks a {@link TaskFailedException} for an {@link IllegalStateException} thrown by
     * {@link #squareFailingOn(int)}.
     */
    protected static void assertFailedOn(Throwable failure, int bad) {
        TaskFailedException taskFailed = assertInstanceOf(TaskFailedException.class, failure);
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, taskFailed.getCause(),
                "the cause should be the task's own exception, of its own class");
        assertEquals("item " + bad + " is bad", cause.getMessage());
        assertTrue(taskFailed.getMessage().contains(IllegalStateException.class.getName()),
                "the message should name the exception's class: " + taskFailed.getMessage());
        assertTrue(taskFailed.getMessage().contains("item " + bad + " is bad"),
                "the message should carry the exception's message: " + taskFailed.getMessage());
    }

    /** Checks that {@code message} contains {@code value} as a number of its own ("-1", not just "1"). */
    protected static void assertMentionsNumber(String message, int value) {
        assertNotNull(message, "the exception should have a message");
        Pattern number = Pattern.compile("(?<![0-9-])" + Pattern.quote(String.valueOf(value)) + "(?![0-9])");
        assertTrue(number.matcher(message).find(), "the message should name the value " + value + ": " + message);
    }

    /** Calls {@code call} on a pool and expects {@link IllegalStateException}. */
    protected static void assertRejected(String what, Pool pool, Consumer<Pool> call) {
        assertThrows(IllegalStateException.class, () -> call.accept(pool), what + " should be rejected");
    }

    /**
     * Terminates a test's own pool in {@code finally}, giving up after {@code timeout} so that a pool stuck by a
     * failed test cannot hang the run (and the test's own failure is not masked).
     */
    protected static void terminateWithin(Pool pool, Duration timeout) {
        Thread terminator = new Thread(pool::terminate, "terminate " + pool);
        terminator.setDaemon(true);
        terminator.start();
        try {
            terminator.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An {@link Iterable} that never ends, counting in {@code reads} the items read from it. */
    public static Iterable<Integer> endless(AtomicLong reads) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return (int) reads.getAndIncrement();
            }
        };
    }

    // ------------------------------------------------------------------------------------------------------------
    // map

    @ParameterizedTest(name = "chunksize {0}")
    @ValueSource(ints = {1, 7, 1000})
    public void shouldReturnResultsInItemOrder(int chunksize) {
        List<Integer> items = range(1, 1001);
        assertEquals(squares(items), pool().map(SQUARE, items, chunksize));
    }

    @Test
    public void shouldReturnResultsInItemOrderWithTheDefaultChunksize() {
        List<Integer> items = range(1, 1001);
        assertEquals(squares(items), pool().map(SQUARE, items));
    }

    @Test
    public void shouldReturnResultsInItemOrderWhenLaterItemsFinishFirst() {
        List<Integer> items = range(0, 12);
        Task<Integer, Integer> task = squareSlowerForLowerItems(12, 4);
        assertEquals(squares(items), pool().map(task, items, 1));
        assertEquals(squares(items), await(pool().mapAsync(task, items, 1)));
        assertEquals(squares(items), drain(pool().imap(task, items)));
    }

    @Test
    public void shouldRunEachExplicitChunkOnOneWorker() {
        List<String> workers = pool().map(WORKER_IDENTITY, range(0, 1000), 7);
        assertEquals(1000, workers.size());
        for (int start = 0; start < 1000; start += 7) {
            List<String> chunk = workers.subList(start, Math.min(1000, start + 7));
            assertEquals(1, new HashSet<>(chunk).size(),
                    "items " + start + ".." + (start + chunk.size() - 1) + " form one chunk but ran on " + chunk);
        }
        assertEquals(1, new HashSet<>(pool().map(WORKER_IDENTITY, range(0, 1000), 1000)).size(),
                "a chunk of all 1000 items should run on one worker");
    }

    @Test
    public void shouldMapANonListIterable() {
        Set<Integer> set = new LinkedHashSet<>(List.of(5, 3, 9, 1, 7));
        assertEquals(List.of(25, 9, 81, 1, 49), pool().map(SQUARE, set));
        assertEquals(List.of(25, 9, 81, 1, 49), pool().map(SQUARE, set, 2));

        Iterable<Integer> custom = () -> IntStream.range(0, 300).iterator();
        assertEquals(squares(range(0, 300)), pool().map(SQUARE, custom));
        assertEquals(squares(range(0, 300)), await(pool().mapAsync(SQUARE, custom, 4)));
        assertEquals(squares(range(0, 300)), drain(pool().imap(SQUARE, custom)));
    }

    @Test
    public void shouldReturnNothingForEmptyInput() {
        List<Integer> empty = List.of();
        assertEquals(List.of(), pool().map(SQUARE, empty));
        assertEquals(List.of(), pool().map(SQUARE, empty, 3));
        assertEquals(List.of(), await(pool().mapAsync(SQUARE, empty)));
        assertEquals(List.of(), await(pool().mapAsync(SQUARE, new HashSet<Integer>())));
        Iterator<Integer> imap = pool().imap(SQUARE, empty);
        assertFalse(imap.hasNext());
        assertThrows(NoSuchElementException.class, imap::next);
        assertFalse(pool().imapUnordered(SQUARE, empty).hasNext());
    }

    @Test
    public void shouldAllowNullItemsAndNullResults() {
        List<Integer> withNull = Arrays.asList(1, null, 3);
        assertEquals(List.of("1", "null", "3"), pool().map(TO_STRING, withNull));
        assertEquals(List.of("1", "null", "3"), pool().map(TO_STRING, withNull, 1));
        assertEquals(List.of("1", "null", "3"), await(pool().mapAsync(TO_STRING, withNull)));
        assertEquals(withNull, drain(pool().imap(IDENTITY, withNull)));
        List<Object> unordered = drain(pool().imapUnordered(IDENTITY, withNull));
        assertEquals(3, unordered.size());
        assertTrue(unordered.contains(null) && unordered.contains(1) && unordered.contains(3), unordered::toString);
        assertEquals(Arrays.asList(null, null), pool().map(ALWAYS_NULL, List.of(1, 2)));
        assertEquals("null", pool().apply(TO_STRING, null));
        assertEquals("null", await(pool().applyAsync(TO_STRING, null)));
    }

    @Test
    public void shouldThrowNullPointerExceptionForNullTask() {
        Pool pool = pool();
        List<Integer> items = List.of(1, 2);
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>map(null, items));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>map(null, items, 1));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>mapAsync(null, items));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>mapAsync(null, items, 1));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>imap(null, items));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>imap(null, items, 1));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>imapUnordered(null, items));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>imapUnordered(null, items, 1));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>apply(null, 1));
        assertThrows(NullPointerException.class, () -> pool.<Integer, Integer>applyAsync(null, 1));
        assertPoolUsable(pool);
    }

    @ParameterizedTest(name = "chunksize {0}")
    @ValueSource(ints = {0, -1})
    public void shouldRejectChunksizeBelowOne(int chunksize) {
        Pool pool = pool();
        List<Integer> items = List.of(1, 2, 3);
        List<IllegalArgumentException> rejections = List.of(
                assertThrows(IllegalArgumentException.class, () -> pool.map(SQUARE, items, chunksize)),
                assertThrows(IllegalArgumentException.class, () -> pool.mapAsync(SQUARE, items, chunksize)),
                assertThrows(IllegalArgumentException.class, () -> pool.imap(SQUARE, items, chunksize)),
                assertThrows(IllegalArgumentException.class, () -> pool.imapUnordered(SQUARE, items, chunksize)));
        for (IllegalArgumentException rejection : rejections) {
            assertMentionsNumber(rejection.getMessage(), chunksize);
        }
        assertPoolUsable(pool);
    }

    // ------------------------------------------------------------------------------------------------------------
    // mapAsync

    @Test
    public void shouldCompleteMapAsyncWithResultsInItemOrder() {
        List<Integer> items = range(0, 500);
        CompletableFuture<List<Integer>> byDefault = pool().mapAsync(SQUARE, items);
        CompletableFuture<List<Integer>> chunked = pool().mapAsync(SQUARE, items, 7);
        assertEquals(squares(items), await(byDefault));
        assertEquals(squares(items), await(chunked));
    }

    @Test
    public void shouldFailMapAsyncWithTheExceptionMapThrows() {
        List<Integer> items = range(0, 10);
        PoolException thrown = assertThrows(PoolException.class, () -> pool().map(squareFailingOn(4), items));
        Throwable asyncFailure = failureOf(pool().mapAsync(squareFailingOn(4), items));
        assertFailedOn(asyncFailure, 4);
        assertSame(thrown.getClass(), asyncFailure.getClass(),
                "mapAsync should fail with the exception map throws");
        assertFailedOn(failureOf(pool().mapAsync(squareFailingOn(4), items, 3)), 4);
        assertPoolUsable(pool());
    }

    // ------------------------------------------------------------------------------------------------------------
    // imap and imapUnordered

    @Test
    public void shouldReturnImapResultsInItemOrder() {
        List<Integer> items = range(0, 300);
        assertEquals(squares(items), drain(pool().imap(SQUARE, items)));
    }

    @ParameterizedTest(name = "chunksize {0}")
    @ValueSource(ints = {1, 7, 300})
    public void shouldReturnImapResultsInItemOrderWithAnExplicitChunksize(int chunksize) {
        List<Integer> items = range(0, 300);
        assertEquals(squares(items), drain(pool().imap(SQUARE, items, chunksize)));
    }

    @ParameterizedTest(name = "chunksize {0}")
    @ValueSource(ints = {0, 1, 5})
    public void shouldReturnEveryImapUnorderedResultExactlyOnce(int chunksize) {
        List<Integer> items = range(0, 300);
        Iterator<Integer> results = chunksize == 0 ? pool().imapUnordered(SQUARE, items)
                : pool().imapUnordered(SQUARE, items, chunksize);
        List<Integer> sorted = drain(results);
        Collections.sort(sorted);
        assertEquals(squares(items), sorted);
    }

    @Test
    public void shouldDeliverImapUnorderedResultsInCompletionOrder() {
        // Item 0 keeps one worker busy; the other worker finishes items after it meanwhile.
        Iterator<Integer> results = pool().imapUnordered(squareSlowOnZero(400), range(0, 6));
        Integer first = results.next();
        assertTrue(first != 0, "the slow item 0 should not come first in completion order");
        List<Integer> all = new ArrayList<>(List.of(first));
        all.addAll(drain(results));
        Collections.sort(all);
        assertEquals(squares(range(0, 6)), all);
    }

    @Test
    public void shouldReadAnEndlessIterableLazilyInImap() {
        assertReadsLazily(true);
    }

    @Test
    public void shouldReadAnEndlessIterableLazilyInImapUnordered() {
        assertReadsLazily(false);
    }

    /** Takes 50 results from an endless {@code Iterable} and checks that only a bounded number was read. */
    protected void assertReadsLazily(boolean ordered) {
        AtomicLong reads = new AtomicLong();
        Iterator<Integer> results = assertTimeoutPreemptively(CALL_TIMEOUT,
                () -> ordered ? pool().imap(SQUARE, endless(reads)) : pool().imapUnordered(SQUARE, endless(reads)),
                "imap should return without reading all of an endless Iterable");
        List<Integer> taken = assertTimeoutPreemptively(CALL_TIMEOUT, () -> {
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                values.add(results.next());
            }
            return values;
        });
        if (ordered) {
            assertEquals(squares(range(0, 50)), taken);
        } else {
            assertEquals(50, new HashSet<>(taken).size(), "50 distinct results: " + taken);
        }
        assertTrue(reads.get() >= 50, "at least the 50 items whose results were taken were read: " + reads.get());
        // Give the pool time to read on, had it no bound, by waiting for other work (about 100 ms of it).
        assertEquals(squares(range(0, 40)), pool().map(slowSquare(5), range(0, 40), 1));
        long read = reads.get();
        assertTrue(read < 50 + READ_AHEAD_BOUND, "reading should stay bounded, but read " + read + " items");
    }

    @Test
    public void shouldDeliverImapResultsBeforeAndAfterAFailingItem() {
        assertOutcomesAroundFailure(pool().imap(squareFailingOn(4), range(0, 10)));
    }

    @ParameterizedTest(name = "chunksize {0}")
    @ValueSource(ints = {1, 3})
    public void shouldDeliverImapResultsBeforeAndAfterAFailingItemWithAnExplicitChunksize(int chunksize) {
        assertOutcomesAroundFailure(pool().imap(squareFailingOn(4), range(0, 10), chunksize));
    }

    /** Python's semantics: results before the failing item, then its exception, then the results after it. */
    protected void assertOutcomesAroundFailure(Iterator<Integer> results) {
        for (int i = 0; i < 4; i++) {
            assertTrue(results.hasNext());
            assertEquals(i * i, results.next(), "result of item " + i);
        }
        assertTrue(results.hasNext(), "the failing item is still an outcome to deliver");
        assertFailedOn(assertThrows(PoolException.class, results::next), 4);
        for (int i = 5; i < 10; i++) {
            assertTrue(results.hasNext(), "iteration should go on after a failure");
            assertEquals(i * i, results.next(), "result of item " + i);
        }
        assertFalse(results.hasNext());
        assertPoolUsable(pool());
    }

    @Test
    public void shouldDeliverEveryImapUnorderedOutcomeAroundAFailingItem() {
        Iterator<Integer> results = pool().imapUnordered(squareFailingOn(4), range(0, 10));
        List<Integer> values = new ArrayList<>();
        List<PoolException> failures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertTrue(results.hasNext(), "outcome " + i + " of 10");
            try {
                values.add(results.next());
            } catch (PoolException e) {
                failures.add(e);
            }
        }
        assertFalse(results.hasNext());
        assertEquals(1, failures.size());
        assertFailedOn(failures.get(0), 4);
        Collections.sort(values);
        assertEquals(List.of(0, 1, 4, 9, 25, 36, 49, 64, 81), values);
        assertPoolUsable(pool());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Failures

    @Test
    public void shouldThrowTaskFailedExceptionWithTheTasksOwnException() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().map(squareFailingOn(4), range(0, 10)));
        assertFailedOn(failure, 4);
        assertFailedOn(assertThrows(TaskFailedException.class,
                () -> pool().map(squareFailingOn(999), range(0, 1000), 100)), 999);
        assertPoolUsable(pool());
    }

    @Test
    public void shouldGiveTheCallerItsOwnStackWithTheTasksStackOnTheCause() {
        String caller = "shouldGiveTheCallerItsOwnStackWithTheTasksStackOnTheCause";
        List<Throwable> caught = List.of(
                assertThrows(TaskFailedException.class, () -> pool().map(new ThrowingTask(1), range(0, 3))),
                assertThrows(TaskFailedException.class, () -> pool().apply(new ThrowingTask(1), 1)),
                assertThrows(TaskFailedException.class, () -> drain(pool().imap(new ThrowingTask(1), range(0, 3)))));
        for (Throwable failure : caught) {
            assertTrue(Arrays.stream(failure.getStackTrace()).anyMatch(frame -> frame.getMethodName().contains(caller)),
                    () -> "the exception should carry the caller's stack, as CompletableFuture.join does: "
                            + Arrays.toString(failure.getStackTrace()));
            assertTrue(Arrays.stream(failure.getCause().getStackTrace()).anyMatch(frame ->
                            frame.getClassName().equals(ThrowingTask.class.getName())),
                    "the cause should keep the task's own stack");
        }
        assertPoolUsable(pool());
    }

    @Test
    public void shouldKeepTheStackTraceOfATaskClassThatThrew() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().map(new ThrowingTask(3), range(0, 5)));
        Throwable cause = assertInstanceOf(UnsupportedOperationException.class, failure.getCause());
        assertEquals("ThrowingTask refuses 3", cause.getMessage());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(frame ->
                        frame.getClassName().equals(ThrowingTask.class.getName())
                                && frame.getMethodName().equals("apply")),
                () -> "the cause's stack trace should contain ThrowingTask.apply: "
                        + Arrays.toString(cause.getStackTrace()));
        assertPoolUsable(pool());
    }

    @Test
    public void shouldKeepTheStackTraceOfALambdaThatThrew() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().apply(throwingLambda(), 8));
        Throwable cause = assertInstanceOf(IllegalStateException.class, failure.getCause());
        assertEquals("thrown by a lambda on 8", cause.getMessage());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(frame ->
                        frame.getClassName().equals(PoolContractTest.class.getName())
                                && frame.getMethodName().startsWith("lambda$throwingLambda$")),
                () -> "the cause's stack trace should contain the lambda's frame: "
                        + Arrays.toString(cause.getStackTrace()));
        assertPoolUsable(pool());
    }

    @Test
    public void shouldPreserveTheCauseChainOfTheTasksException() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().map(throwingWithCause(), List.of(6)));
        Throwable outer = assertInstanceOf(IllegalStateException.class, failure.getCause());
        assertEquals("outer 6", outer.getMessage());
        Throwable inner = assertInstanceOf(IllegalArgumentException.class, outer.getCause(),
                "the task exception's own cause should be kept");
        assertEquals("inner 6", inner.getMessage());
        assertPoolUsable(pool());
    }

    @Test
    public void shouldPreserveACheckedExceptionOfTheTasksOwnClass() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().apply(throwingChecked(), 2));
        CustomTaskException cause = assertInstanceOf(CustomTaskException.class, failure.getCause());
        assertEquals("custom 2", cause.getMessage());
        assertTrue(failure.getMessage().contains(CustomTaskException.class.getName()), failure.getMessage());
        assertPoolUsable(pool());
    }

    @Test
    public void shouldReportAnErrorThrownByTheTaskAsTaskFailed() {
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> pool().map(throwingError(), List.of(1, 2, 3)));
        assertInstanceOf(AssertionError.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().startsWith("error "), failure.getCause().getMessage());
        assertPoolUsable(pool());
    }

    // ------------------------------------------------------------------------------------------------------------
    // apply and applyAsync

    @Test
    public void shouldReturnTheValueOfApply() {
        assertEquals(Integer.valueOf(144), pool().apply(SQUARE, 12));
        assertEquals(Integer.valueOf(169), await(pool().applyAsync(SQUARE, 13)));
        assertEquals("x", pool().apply(TO_STRING, "x"));
    }

    @Test
    public void shouldThrowTaskFailedExceptionFromApply() {
        assertFailedOn(assertThrows(TaskFailedException.class, () -> pool().apply(squareFailingOn(5), 5)), 5);
        assertPoolUsable(pool());
        assertFailedOn(failureOf(pool().applyAsync(squareFailingOn(5), 5)), 5);
        assertPoolUsable(pool());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Staying usable

    @Test
    public void shouldStayUsableAfterEachKindOfFailure() {
        Pool pool = pool();
        Task<Integer, Integer> failing = squareFailingOn(3);
        List<Integer> items = range(0, 8);

        assertThrows(TaskFailedException.class, () -> pool.map(failing, items));
        assertPoolUsable(pool);
        assertThrows(TaskFailedException.class, () -> pool.map(failing, items, 2));
        assertPoolUsable(pool);
        failureOf(pool.mapAsync(failing, items));
        assertPoolUsable(pool);
        assertThrows(TaskFailedException.class, () -> drain(pool.imap(failing, items)));
        assertPoolUsable(pool);
        assertThrows(TaskFailedException.class, () -> drain(pool.imapUnordered(failing, items)));
        assertPoolUsable(pool);
        assertThrows(TaskFailedException.class, () -> pool.apply(failing, 3));
        assertPoolUsable(pool);
        failureOf(pool.applyAsync(failing, 3));
        assertPoolUsable(pool);
        assertThrows(TaskFailedException.class, () -> pool.apply(throwingError(), 1));
        assertPoolUsable(pool);
        assertThrows(IllegalArgumentException.class, () -> pool.map(SQUARE, items, 0));
        assertPoolUsable(pool);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Concurrency

    @Test
    public void shouldGiveEachConcurrentCallerItsOwnResults() throws Exception {
        Pool pool = pool();
        int callers = 6;
        int rounds = 9;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            CyclicBarrier start = new CyclicBarrier(callers);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int tag = c;
                done.add(threads.submit(() -> {
                    start.await(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    Task<Integer, Integer> task = tagged(tag);
                    for (int round = 0; round < rounds; round++) {
                        List<Integer> items = range(round * 10, round * 10 + 60);
                        List<Integer> expected = items.stream().map(x -> 100 * x + tag)
                                .collect(Collectors.toList());
                        switch (round % 3) {
                            case 0:
                                assertEquals(expected, pool.map(task, items, 1 + round));
                                break;
                            case 1:
                                assertEquals(expected, drain(pool.imap(task, items)));
                                break;
                            default:
                                List<CompletableFuture<Integer>> applied = new ArrayList<>();
                                for (Integer item : items.subList(0, 10)) {
                                    applied.add(pool.applyAsync(task, item));
                                }
                                for (int i = 0; i < applied.size(); i++) {
                                    assertEquals(expected.get(i), await(applied.get(i)));
                                }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> caller : done) {
                try {
                    caller.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AssertionError) {
                        throw (AssertionError) e.getCause();
                    }
                    throw new AssertionError("a concurrent caller failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * A callback that submits more work runs in whatever thread completed the future, perhaps one of the pool's:
     * the pool must not hold a lock there that submitting needs. On its own pool, since a deadlock would stop it.
     */
    @Test
    public void shouldAcceptWorkSubmittedFromACompletionCallback() {
        Pool pool = newPool(2);
        try {
            List<CompletableFuture<Integer>> chains = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                chains.add(pool.applyAsync(INCREMENT, i)
                        .thenCompose(v -> pool.applyAsync(INCREMENT, v))
                        .thenCompose(v -> pool.mapAsync(INCREMENT, List.of(v, v)))
                        .thenApply(list -> list.get(1)));
            }
            for (int i = 0; i < chains.size(); i++) {
                assertEquals(Integer.valueOf(i + 3), await(chains.get(i)));
            }
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Statistics

    @Test
    public void shouldCountCompletedTasksInStats() {
        Pool pool = pool();
        PoolStats before = pool.stats();
        assertNotNull(before);
        pool.map(SQUARE, range(0, 100), 10);
        PoolStats after = pool.stats();
        assertTrue(after.tasksCompleted() - before.tasksCompleted() >= 100,
                "tasksCompleted should grow by the 100 items: " + before + " -> " + after);
        assertTrue(after.tasksSubmitted() - before.tasksSubmitted() >= 100,
                "tasksSubmitted should grow by the 100 items: " + before + " -> " + after);
        assertTrue(after.chunksCompleted() - before.chunksCompleted() >= 10,
                "chunksCompleted should grow by the 10 chunks: " + before + " -> " + after);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lifecycle: each test makes its own pool.

    @Test
    public void shouldReportTheRequestedNumberOfWorkers() {
        assertEquals(2, pool().size());
        try (Pool one = newPool(1)) {
            assertEquals(1, one.size());
        }
    }

    /** The ways to stop a pool. */
    protected enum Stop {
        SHUTDOWN(Pool::shutdown), TERMINATE(Pool::terminate), CLOSE(Pool::close);

        private final Consumer<Pool> action;

        Stop(Consumer<Pool> action) {
            this.action = action;
        }

        void apply(Pool pool) {
            action.accept(pool);
        }
    }

    @ParameterizedTest(name = "after {0}")
    @EnumSource(Stop.class)
    public void shouldRejectEveryKindOfSubmissionAfterStopping(Stop stop) {
        Pool pool = newPool(1);
        try {
            assertEquals(Integer.valueOf(4), pool.apply(SQUARE, 2));
            stop.apply(pool);
            List<Integer> items = List.of(1, 2, 3);
            assertRejected("map", pool, p -> p.map(SQUARE, items));
            assertRejected("map with chunksize", pool, p -> p.map(SQUARE, items, 1));
            assertRejected("mapAsync", pool, p -> p.mapAsync(SQUARE, items));
            assertRejected("mapAsync with chunksize", pool, p -> p.mapAsync(SQUARE, items, 1));
            assertRejected("imap", pool, p -> p.imap(SQUARE, items));
            assertRejected("imap with chunksize", pool, p -> p.imap(SQUARE, items, 1));
            assertRejected("imapUnordered", pool, p -> p.imapUnordered(SQUARE, items));
            assertRejected("imapUnordered with chunksize", pool, p -> p.imapUnordered(SQUARE, items, 1));
            assertRejected("apply", pool, p -> p.apply(SQUARE, 1));
            assertRejected("applyAsync", pool, p -> p.applyAsync(SQUARE, 1));
            assertRejected("map of nothing", pool, p -> p.map(SQUARE, List.of()));
        } finally {
            assertTimeoutPreemptively(CALL_TIMEOUT, pool::close);
        }
    }

    /** On the shared pool: a correct join() throws at once and changes nothing. */
    @Test
    public void shouldThrowIllegalStateOnJoinWithoutShutdownOrTerminate() {
        assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(IllegalStateException.class, pool()::join),
                "join() without shutdown() or terminate() should throw, not wait");
        assertPoolUsable(pool());
    }

    @Test
    public void shouldAllowCloseMoreThanOnce() {
        Pool pool = newPool(1);
        assertEquals(Integer.valueOf(9), pool.apply(SQUARE, 3));
        assertTimeoutPreemptively(CALL_TIMEOUT, () -> {
            pool.close();
            pool.close();
            pool.join();
        });
    }

    @Test
    public void shouldCompleteWorkSubmittedBeforeShutdown() {
        Pool pool = newPool(2);
        try {
            List<Integer> items = range(0, 20);
            CompletableFuture<List<Integer>> mapped = pool.mapAsync(slowSquare(50), items, 1);
            CompletableFuture<Integer> applied = pool.applyAsync(slowSquare(300), 7);
            // 20 items of 50 ms on 2 workers take 500 ms: still running when shutdown() is called.
            assertFalse(mapped.isDone(), "the work should still be running when shutdown() is called");
            pool.shutdown();
            assertTimeoutPreemptively(CALL_TIMEOUT, pool::join);
            assertTrue(mapped.isDone(), "join() should return only once the submitted work is done");
            assertEquals(squares(items), await(mapped, Duration.ZERO));
            assertEquals(Integer.valueOf(49), await(applied, Duration.ZERO));
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }

    @Test
    public void shouldFailUnfinishedWorkPromptlyOnTerminate() {
        Pool pool = newPool(2);
        try {
            assertEquals(Integer.valueOf(1), pool.apply(SQUARE, 1)); // the workers are up
            CompletableFuture<List<Integer>> mapped = pool.mapAsync(blocking(), range(0, 4), 1);
            CompletableFuture<Integer> applied = pool.applyAsync(blocking(), 9);
            Iterator<Integer> iterated = pool.imap(blocking(), range(0, 4));
            long start = System.nanoTime();
            pool.terminate();

            assertInstanceOf(PoolException.class, failureOf(mapped, PROMPTLY),
                    "an unfinished mapAsync should fail with a PoolException");
            assertInstanceOf(PoolException.class, failureOf(applied, PROMPTLY),
                    "an unfinished applyAsync should fail with a PoolException");
            assertTimeoutPreemptively(PROMPTLY, () -> {
                assertThrows(PoolException.class, () -> drain(iterated),
                        "an unfinished imap should fail with a PoolException");
            });
            assertTimeoutPreemptively(PROMPTLY, pool::join, "join() after terminate() should return promptly");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(elapsed.compareTo(PROMPTLY) < 0, "terminating took " + elapsed);
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }

    @Test
    public void shouldLetJoinReturnAfterShutdownDespiteAnUnfinishedEndlessImap() {
        Pool pool = newPool(2);
        try {
            AtomicLong reads = new AtomicLong();
            Iterator<Integer> results = pool.imap(SQUARE, endless(reads));
            assertEquals(List.of(0, 1, 4), List.of(results.next(), results.next(), results.next()));
            pool.shutdown();
            assertTimeoutPreemptively(CALL_TIMEOUT, pool::join,
                    "shutdown() should stop reading an endless imap, so that join() returns");
            assertTrue(reads.get() < 3 + READ_AHEAD_BOUND, "read " + reads.get());
        } finally {
            terminateWithin(pool, PROMPTLY);
        }
    }
}
