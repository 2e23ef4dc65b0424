package io.procpool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.procpool.PoolContractTest.CALL_TIMEOUT;
import static io.procpool.PoolContractTest.assertMentionsNumber;
import static io.procpool.PoolContractTest.range;
import static io.procpool.PoolContractTest.squares;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ThreadPool#builder()}: the number of threads, an initializer run once in each thread before its first task
 * (and what happens when it throws or never returns), and the pool's name. The {@link Pool} contract on a pool from
 * the builder is {@code ThreadPoolWithInitializerTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadPoolBuilderTest {
    /** Set by the initializers below on each thread they run on, to the thread's name. */
    private static final ThreadLocal<String> INITIALISED_AS = new ThreadLocal<>();

    @Test
    void shouldRunTheInitializerOnceInEachThreadBeforeItsFirstTask() {
        int threads = 3;
        AtomicInteger runs = new AtomicInteger();
        Set<Thread> initialised = ConcurrentHashMap.newKeySet();
        ThreadPool pool = ThreadPool.builder().threads(threads).initializer(() -> {
            runs.incrementAndGet();
            initialised.add(Thread.currentThread());
            INITIALISED_AS.set(Thread.currentThread().getName());
        }).build();
        try {
            assertEquals(threads, runs.get(), "build() should return once every thread has run the initializer");

            // The first items each wait for the others, so that every thread runs one; the rest run anywhere.
            CyclicBarrier everyThread = new CyclicBarrier(threads);
            Task<Integer, Map.Entry<Thread, String>> whatTheTaskSees = x -> {
                if (x < threads) {
                    everyThread.await(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                return Map.entry(Thread.currentThread(), String.valueOf(INITIALISED_AS.get()));
            };
            List<Map.Entry<Thread, String>> seen = pool.map(whatTheTaskSees, range(0, 300), 1);

            for (Map.Entry<Thread, String> task : seen) {
                assertEquals(task.getKey().getName(), task.getValue(),
                        "a task on " + task.getKey().getName() + " ran on a thread its initializer had not run on");
            }
            Set<Thread> ranTasks = seen.stream().map(Map.Entry::getKey).collect(Collectors.toSet());
            assertEquals(initialised, ranTasks, "the threads that ran tasks should be the ones initialised");
            assertEquals(threads, runs.get(), "the initializer should run exactly once in each thread");
            assertEquals(squares(range(0, 10)), pool.map(PoolContractTest.SQUARE, range(0, 10)));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shouldFailBuildWithTheInitializersExceptionAndLeaveNoThreadAlive() {
        IllegalStateException noModel = new IllegalStateException("no model.bin");
        Initializer failingOnThread2 = () -> {
            if (Thread.currentThread().getName().equals("procpool-failing-init-thread-2")) {
                throw noModel;
            }
        };
        PoolException failure = assertThrows(PoolException.class, () -> ThreadPool.builder()
                .threads(3).name("failing-init").initializer(failingOnThread2).build());

        assertSame(noModel, failure.getCause(), "the cause should be the initializer's exception");
        assertTrue(failure.getMessage().contains("initializer"), failure.getMessage());
        assertTrue(failure.getMessage().contains("procpool-failing-init-thread-2"),
                "the message should name the thread: " + failure.getMessage());
        assertTrue(failure.getMessage().contains("no model.bin"), failure.getMessage());
        assertNoThreadAlive("procpool-failing-init-thread-");
    }

    @Test
    void shouldFailBuildWithACheckedExceptionOfTheInitializerAsItsCause() {
        PoolException failure = assertThrows(PoolException.class, () -> ThreadPool.builder()
                .threads(2).name("checked-init").initializer(() -> {
                    throw new IOException("cannot open the database");
                }).build());

        assertInstanceOf(IOException.class, failure.getCause());
        assertTrue(failure.getMessage().matches("(?s).*procpool-checked-init-thread-[12].*"), failure.getMessage());
        assertNoThreadAlive("procpool-checked-init-thread-");
    }

    @Test
    void shouldStopWaitingForAnInitializerThatNeverReturnsAfterTheStartTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        try {
            PoolException failure = assertThrows(PoolException.class, () -> ThreadPool.builder()
                    .threads(2).name("stuck-init").startTimeout(Duration.ofMillis(300)).initializer(never::await)
                    .build());

            assertTrue(failure.getMessage().contains("PT0.3S"), "the message should name the timeout: "
                    + failure.getMessage());
            assertTrue(failure.getMessage().contains("procpool-stuck-init-thread-"), failure.getMessage());
            assertNoThreadAlive("procpool-stuck-init-thread-");
        } finally {
            never.countDown();
        }
    }

    @Test
    void shouldRefuseFewerThanOneThreadNamingTheValue() {
        assertMentionsNumber(assertThrows(IllegalArgumentException.class,
                () -> ThreadPool.builder().threads(0).build()).getMessage(), 0);
        assertMentionsNumber(assertThrows(IllegalArgumentException.class,
                () -> ThreadPool.builder().threads(-2).build()).getMessage(), -2);
    }

    @Test
    void shouldRefuseANullOrBlankName() {
        String message = assertThrows(IllegalArgumentException.class, () -> ThreadPool.builder().name(null))
                .getMessage();
        assertTrue(message.contains("null"), "the message should say the name was null: " + message);
        for (String blank : List.of("", "  ", "\t")) {
            String refused = assertThrows(IllegalArgumentException.class,
                    () -> ThreadPool.builder().name(blank)).getMessage();
            assertTrue(refused.contains("'" + blank + "'"), "the message should quote the name: " + refused);
        }
    }

    @Test
    void shouldRefuseANameThatWouldBreakAThreadDumpALogPrefixOrAJmxNameQuotingIt() {
        for (String bad : List.of("in,gest", "in=gest", "in:gest", "in*", "in?", "in\"gest", "in\\gest", "[ingest]",
                " ingest", "ingest ")) {
            String message = assertThrows(IllegalArgumentException.class, () -> ThreadPool.builder().name(bad),
                    bad).getMessage();
            assertTrue(message.contains("'" + bad + "'"), "the message should quote the name: " + message);
        }
        String newline = assertThrows(IllegalArgumentException.class,
                () -> ThreadPool.builder().name("in\ngest")).getMessage();
        assertTrue(newline.contains("'in\\ngest'") && !newline.contains("\n"),
                "the message should show the newline as an escape, on one line: " + newline);
        // Letters, digits, spaces inside and punctuation that breaks none of them are a name.
        try (ThreadPool pool = ThreadPool.builder().threads(1).name("ingest.eu-1 (batch)").build()) {
            assertEquals("ingest.eu-1 (batch)", pool.name());
        }
    }

    @Test
    void shouldMakeUpANameUniqueInThisJvmForAPoolBuiltWithoutOne() {
        try (ThreadPool first = ThreadPool.create(1); ThreadPool second = ThreadPool.builder().threads(1).build()) {
            assertTrue(first.name().matches("pool-\\d+"), first.name());
            assertTrue(second.name().matches("pool-\\d+"), second.name());
            assertFalse(first.name().equals(second.name()), "two pools, one name: " + first.name());
            assertTrue(first.toString().contains("name=" + first.name()), first.toString());
        }
    }

    @Test
    void shouldRefuseAStartTimeoutThatIsNotPositive() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> ThreadPool.builder().startTimeout(Duration.ZERO).build()).getMessage();
        assertTrue(message.contains("PT0S"), message);
        assertThrows(IllegalArgumentException.class, () -> ThreadPool.builder().startTimeout(null).build());
    }

    @Test
    void shouldNameThePoolsThreadsAfterThePool() {
        ThreadPool pool = ThreadPool.builder().threads(2).name("ingest").build();
        try {
            CyclicBarrier bothThreads = new CyclicBarrier(2);
            Task<Integer, Thread> thread = x -> {
                bothThreads.await(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return Thread.currentThread();
            };
            List<Thread> used = pool.map(thread, range(0, 2), 1);
            assertEquals(Set.of("procpool-ingest-thread-1", "procpool-ingest-thread-2"),
                    used.stream().map(Thread::getName).collect(Collectors.toSet()));
            assertTrue(used.stream().allMatch(Thread::isDaemon), "the pool's threads should be daemon threads");
            assertEquals("ingest", pool.name());
            assertTrue(pool.toString().contains("name=ingest"), pool.toString());
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shouldDefaultToOneThreadPerProcessorWithTheUsualNames() {
        ThreadPool pool = ThreadPool.builder().build();
        try {
            assertEquals(Runtime.getRuntime().availableProcessors(), pool.size());
            Task<Integer, String> threadName = x -> Thread.currentThread().getName();
            String made = pool.name();
            assertTrue(made.matches("pool-\\d+"), "a made-up name: " + made);
            String used = pool.apply(threadName, 0);
            assertTrue(used.matches("procpool-" + made + "-thread-\\d+"), used);
        } finally {
            pool.terminate();
        }
    }

    /** Waits for every live thread whose name starts with {@code prefix} to end, failing if one does not. */
    private static void assertNoThreadAlive(String prefix) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix)) {
                try {
                    thread.join(CALL_TIMEOUT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
                assertFalse(thread.isAlive(), thread.getName() + " should not outlive a failed build()");
            }
        }
    }
}
