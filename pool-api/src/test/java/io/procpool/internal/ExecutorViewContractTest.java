package io.procpool.internal;

import io.procpool.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Pool#asExecutorService()} against the cases of the JSR-166 TCK ({@code AbstractExecutorServiceTest},
 * {@code ThreadPoolExecutorTest}), restated in JUnit 5 for any pool: {@code ThreadPool}'s test here, the process
 * pool's in pool-launcher. Tasks follow {@code PoolContractTest}'s rules: serialisable lambdas made in static
 * methods, nothing shared but files ({@link Marks}), and no sleep standing in for waiting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class ExecutorViewContractTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long a sleeping task sleeps: longer than any test waits, so that finishing is not taken for stopping. */
    private static final long LONG_SLEEP_MS = 60_000;

    private Pool shared;
    private ExecutorService view;

    /** @return a new pool of {@code workers} workers, from the implementation's factory */
    protected abstract Pool newPool(int workers);

    /** @return whether the pool's tasks run in other JVMs, so that they must be serialisable */
    protected abstract boolean tasksLeaveThisJvm();

    @BeforeAll
    void createSharedPool() {
        shared = newPool(2);
        view = shared.asExecutorService();
    }

    @AfterAll
    void closeSharedPool() {
        if (shared != null) {
            assertTimeoutPreemptively(WAIT, shared::close);
        }
    }

    // ------------------------------------------------------------------------------------------------ tasks

    static Callable<Integer> value(int value) {
        return (Callable<Integer> & Serializable) () -> value;
    }

    static Callable<Integer> throwing(String message) {
        return (Callable<Integer> & Serializable) () -> {
            throw new ArithmeticException(message);
        };
    }

    static Callable<Integer> throwingChecked(String message) {
        return (Callable<Integer> & Serializable) () -> {
            throw new IOException(message);
        };
    }

    /** Marks {@code started-id}, sleeps long ({@code interrupted-id} if interrupted), marks {@code finished-id}. */
    static Callable<Integer> sleeper(Path dir, int id) {
        String directory = dir.toString();
        return (Callable<Integer> & Serializable) () -> {
            Marks.write(directory, "started", id);
            try {
                Thread.sleep(LONG_SLEEP_MS);
            } catch (InterruptedException e) {
                Marks.write(directory, "interrupted", id);
                throw e;
            }
            Marks.write(directory, "finished", id);
            return id;
        };
    }

    /** Marks {@code started-id}, then waits until the test creates {@code release} in {@code dir}, at most 20 s. */
    static Callable<Integer> blocker(Path dir, int id) {
        String directory = dir.toString();
        return (Callable<Integer> & Serializable) () -> {
            Marks.write(directory, "started", id);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!java.nio.file.Files.exists(Path.of(directory, "release")) && System.nanoTime() < deadline) {
                Thread.sleep(5); // the task's own work: waiting for a file the test writes
            }
            Marks.write(directory, "finished", id);
            return id;
        };
    }

    /** A task that leaves {@code started-id} when it runs: a Runnable with an identity of its own. */
    static final class MarkingTask implements Runnable, Serializable {
        private static final long serialVersionUID = 1L;
        private final String directory;
        private final int id;

        MarkingTask(Path dir, int id) {
            this.directory = dir.toString();
            this.id = id;
        }

        @Override
        public void run() {
            Marks.write(directory, "started", id);
        }

        @Override
        public String toString() {
            return "MarkingTask " + id;
        }
    }

    // ------------------------------------------------------------------------------------------------ submit

    @Test
    void submitShouldRunACallableAndGiveItsValue() throws Exception {
        Future<Integer> future = view.submit(value(42));
        assertEquals(42, future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(future.isDone());
        assertFalse(future.isCancelled());
    }

    @Test
    void submitOfARunnableShouldGiveTheResultAskedForOrNull(@TempDir Path dir) throws Exception {
        assertEquals("done",
                view.submit(new MarkingTask(dir, 1), "done").get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertNull(view.submit(new MarkingTask(dir, 2)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(Marks.exists(dir, "started", 1) && Marks.exists(dir, "started", 2), "both tasks ran");
    }

    @Test
    void executeShouldRunTheCommand(@TempDir Path dir) {
        view.execute(new MarkingTask(dir, 7));
        Marks.awaitCount(dir, "started", 1, WAIT);
        assertTrue(Marks.exists(dir, "started", 7));
    }

    @Test
    void supplyAsyncAndRunAsyncShouldNeverLeaveTheirFutureWaiting() throws Exception {
        // The JDK hands the executor a task holding the CompletableFuture it completes, which cannot cross to
        // another JVM: such a pool refuses it where it is submitted, saying what to use instead; a pool whose
        // tasks stay in this JVM runs it.
        java.util.function.Supplier<java.util.concurrent.CompletableFuture<Integer>> supply =
                () -> java.util.concurrent.CompletableFuture.supplyAsync(() -> 6 * 7, view);
        java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> run =
                () -> java.util.concurrent.CompletableFuture.runAsync(() -> { }, view);
        if (tasksLeaveThisJvm()) {
            RejectedExecutionException supplied = assertThrows(RejectedExecutionException.class, supply::get);
            assertTrue(supplied.getMessage().contains("applyAsync"), supplied.getMessage());
            assertTrue(supplied.getMessage().contains("CompletableFuture"), supplied.getMessage());
            assertThrows(RejectedExecutionException.class, run::get);
        } else {
            assertEquals(42, supply.get().get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertNull(run.get().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void executeShouldRefuseAtOnceASerialisableCommandHoldingWhatCannotCross(@TempDir Path dir) {
        java.util.concurrent.CompletableFuture<Void> local = new java.util.concurrent.CompletableFuture<>();
        String marks = dir.toString();
        Runnable command = (Runnable & Serializable) () -> {
            local.complete(null); // a CompletableFuture is not Serializable: it cannot cross
            Marks.write(marks, "started", 1);
        };
        if (tasksLeaveThisJvm()) {
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> view.execute(command));
            assertInstanceOf(io.procpool.SerializationException.class, e.getCause());
            assertTrue(e.getMessage().contains("java.util.concurrent.CompletableFuture"), e.getMessage());
        } else {
            view.execute(command);
            Marks.awaitCount(dir, "started", 1, WAIT);
        }
        // The pool stays usable.
        assertEquals(5, assertTimeoutPreemptively(WAIT, () -> view.submit(value(5)).get()));
    }

    @Test
    void nullTasksShouldBeRefusedWithNullPointerException() {
        assertThrows(NullPointerException.class, () -> view.submit((Callable<Integer>) null));
        assertThrows(NullPointerException.class, () -> view.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> view.submit(null, "x"));
        assertThrows(NullPointerException.class, () -> view.execute(null));
        assertThrows(NullPointerException.class, () -> view.invokeAll(null));
        assertThrows(NullPointerException.class, () -> view.invokeAll(null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> view.invokeAny(null));
        assertThrows(NullPointerException.class, () -> view.invokeAny(null, 1, TimeUnit.SECONDS));
        List<Callable<Integer>> withNull = new ArrayList<>();
        withNull.add(value(1));
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> view.invokeAll(withNull));
        assertThrows(NullPointerException.class, () -> view.invokeAny(withNull));
    }

    @Test
    void getShouldFailWithTheTasksOwnExceptionAsTheCause() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> view.submit(throwing("no luck")).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        ArithmeticException own = assertInstanceOf(ArithmeticException.class, e.getCause(),
                "the cause is the task's own exception, its class rebuilt, as ThreadPoolExecutor gives it");
        assertEquals("no luck", own.getMessage());

        ExecutionException checked = assertThrows(ExecutionException.class,
                () -> view.submit(throwingChecked("disk gone")).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, checked.getCause());
        assertEquals("disk gone", checked.getCause().getMessage());
    }

    @Test
    void timedGetShouldTimeOutOnATaskThatRunsOnAndCancelShouldThenStopIt(@TempDir Path dir) throws Exception {
        Future<Integer> future = view.submit(sleeper(dir, 1));
        Marks.awaitCount(dir, "started", 1, WAIT);
        assertThrows(TimeoutException.class, () -> future.get(50, TimeUnit.MILLISECONDS));

        assertTrue(future.cancel(true));
        assertTrue(future.isCancelled());
        assertTrue(future.isDone());
        assertThrows(CancellationException.class, future::get);
        assertFalse(future.cancel(true), "a second cancel does nothing");
        Marks.awaitStopped(dir, 1, Duration.ofSeconds(2));
        assertEquals(5, view.submit(value(5)).get(WAIT.toSeconds(), TimeUnit.SECONDS),
                "the pool goes on after the task was stopped");
        assertFalse(Marks.exists(dir, "finished", 1));
    }

    // ------------------------------------------------------------------------------------------------ invokeAll, invokeAny

    @Test
    void invokeAllShouldReturnDoneFuturesInTheTasksOrder() throws Exception {
        assertEquals(List.of(), view.invokeAll(Collections.<Callable<Integer>>emptyList()));
        List<Future<Integer>> futures = view.invokeAll(List.of(value(1), throwing("second"), value(3)));
        assertEquals(3, futures.size());
        futures.forEach(f -> assertTrue(f.isDone()));
        assertEquals(1, futures.get(0).get());
        ExecutionException e = assertThrows(ExecutionException.class, () -> futures.get(1).get());
        assertInstanceOf(ArithmeticException.class, e.getCause());
        assertEquals(3, futures.get(2).get());
    }

    @Test
    void timedInvokeAllShouldCancelWhatDidNotFinishInTime(@TempDir Path dir) throws Exception {
        // A warm pool, and a deadline a loaded machine's worker meets: the quick task must finish in time for
        // the test to be about the late one, not about how long a JVM takes to start.
        assertEquals(0, view.submit(value(0)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        long start = System.nanoTime();
        List<Future<Integer>> futures = view.invokeAll(List.of(value(1), sleeper(dir, 2)), 2_000,
                TimeUnit.MILLISECONDS);
        assertTrue(System.nanoTime() - start < WAIT.toNanos());
        assertEquals(1, futures.get(0).get());
        assertTrue(futures.get(1).isCancelled(), "the late task was cancelled");
        if (Marks.exists(dir, "started", 2)) {
            Marks.awaitStopped(dir, 2, Duration.ofSeconds(2));
        }
    }

    @Test
    void invokeAnyShouldReturnTheValueOfATaskThatSucceeded() throws Exception {
        assertEquals(2, view.invokeAny(List.of(throwing("a"), value(2), throwing("c"))));
        assertEquals(2, view.invokeAny(List.of(throwing("a"), value(2)), WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void invokeAnyShouldFailWhenEveryTaskFailsAndRefuseNoTasks() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> view.invokeAny(List.of(throwing("a"), throwing("b"))));
        assertInstanceOf(ArithmeticException.class, e.getCause());
        assertThrows(IllegalArgumentException.class, () -> view.invokeAny(List.<Callable<Integer>>of()));
    }

    @Test
    void timedInvokeAnyShouldTimeOutAndStopItsTasks(@TempDir Path dir) throws Exception {
        assertThrows(TimeoutException.class,
                () -> view.invokeAny(List.of(sleeper(dir, 1)), 300, TimeUnit.MILLISECONDS));
        if (Marks.exists(dir, "started", 1)) {
            Marks.awaitStopped(dir, 1, Duration.ofSeconds(2));
        }
        assertEquals(5, view.submit(value(5)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    // ------------------------------------------------------------------------------------------------ serialisable

    @Test
    void aTaskThatCannotCrossShouldFailItsFutureNamingTheClassAndTheFix() throws Exception {
        Callable<Integer> local = () -> 1; // not Serializable
        if (!tasksLeaveThisJvm()) {
            assertEquals(1, view.submit(local).get(WAIT.toSeconds(), TimeUnit.SECONDS), "in-process pools run it");
            return;
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> view.submit(local).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        io.procpool.SerializationException refusal =
                assertInstanceOf(io.procpool.SerializationException.class, e.getCause());
        assertTrue(refusal.getMessage().contains(local.getClass().getName()), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("(Callable<T> & Serializable)"), refusal.getMessage());

        Runnable localRunnable = () -> { };
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
                () -> view.execute(localRunnable));
        assertInstanceOf(io.procpool.SerializationException.class, rejected.getCause());
        assertEquals(3, view.submit(value(3)).get(WAIT.toSeconds(), TimeUnit.SECONDS), "the pool goes on");
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Test
    void shutdownShouldRejectLaterTasksAndTerminateOnceTheWorkIsDone() throws Exception {
        Pool pool = newPool(1);
        ExecutorService own = pool.asExecutorService();
        assertSame(own, pool.asExecutorService(), "one view per pool");
        try {
            assertFalse(own.isShutdown());
            assertFalse(own.awaitTermination(20, TimeUnit.MILLISECONDS), "a running pool does not terminate");
            Future<Integer> before = own.submit(value(1));
            own.shutdown();
            assertTrue(own.isShutdown());
            assertThrows(RejectedExecutionException.class, () -> own.submit(value(2)));
            assertThrows(RejectedExecutionException.class, () -> own.execute(() -> { }));
            assertThrows(IllegalStateException.class, () -> pool.apply(x -> x, 1),
                    "the pool's own calls are refused as after shutdown()");
            assertEquals(1, before.get(WAIT.toSeconds(), TimeUnit.SECONDS), "work submitted before completes");
            assertTrue(own.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(own.isTerminated());
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shutdownNowShouldStopRunningTasksAndReturnTheUnstartedInSubmissionOrder(@TempDir Path dir)
            throws Exception {
        Pool pool = newPool(2);
        ExecutorService own = pool.asExecutorService();
        try {
            Future<Integer> first = own.submit(sleeper(dir, 1));
            Future<Integer> second = own.submit(sleeper(dir, 2));
            Marks.awaitCount(dir, "started", 2, WAIT);
            List<MarkingTask> waiting = new ArrayList<>();
            List<Future<?>> waitingFutures = new ArrayList<>();
            for (int id = 10; id < 18; id++) {
                MarkingTask task = new MarkingTask(dir, id);
                waiting.add(task);
                waitingFutures.add(own.submit(task));
            }
            List<Runnable> neverStarted = own.shutdownNow();

            assertTrue(own.isShutdown());
            assertFalse(neverStarted.isEmpty(), "with both workers busy, some tasks must still be waiting");
            // A pool hands a few tasks ahead to its busy workers (which ones is the scheduler's choice); they had not
            // begun either, so they come back with the rest, as the tasks given, in the order they were submitted.
            List<MarkingTask> inOrder = new ArrayList<>(waiting);
            inOrder.retainAll(neverStarted);
            assertEquals(inOrder, neverStarted, "the tasks that never started, in submission order");
            assertEquals(waiting, neverStarted, "every waiting task, those handed ahead to a worker included");
            assertTrue(first.isCancelled() && second.isCancelled(), "running tasks are cancelled");
            waitingFutures.forEach(f -> assertTrue(f.isDone(), "every task's future is done: " + f));
            Marks.awaitStopped(dir, 1, Duration.ofSeconds(2));
            Marks.awaitStopped(dir, 2, Duration.ofSeconds(2));
            assertTrue(own.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, Marks.count(dir, "started"), "no waiting task ever ran");
            assertFalse(Marks.exists(dir, "finished", 1) || Marks.exists(dir, "finished", 2));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void aTaskCancelledBeforeItStartedShouldNeverRun(@TempDir Path dir) throws Exception {
        Pool pool = newPool(2);
        ExecutorService own = pool.asExecutorService();
        try {
            Future<Integer> first = own.submit(sleeper(dir, 1));
            Future<Integer> second = own.submit(sleeper(dir, 2));
            Marks.awaitCount(dir, "started", 2, WAIT);
            List<Future<?>> waiting = new ArrayList<>();
            for (int id = 10; id < 16; id++) {
                waiting.add(own.submit(new MarkingTask(dir, id)));
            }
            for (Future<?> future : waiting) {
                assertTrue(future.cancel(false));
                assertTrue(future.isCancelled());
            }
            first.cancel(true);
            second.cancel(true);
            assertEquals(7, own.submit(value(7)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            own.shutdown();
            assertTrue(own.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, Marks.count(dir, "started"), "none of the cancelled tasks ran");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void aTaskCancelledWhileQueuedBehindARunningOneShouldBeSkippedWithoutStoppingTheWorker(@TempDir Path dir)
            throws Exception {
        Pool pool = newPool(1);
        ExecutorService own = pool.asExecutorService();
        try {
            Future<Integer> running = own.submit(blocker(dir, 1));
            Marks.awaitCount(dir, "started", 1, WAIT);
            List<Future<?>> queued = new ArrayList<>();
            for (int id = 10; id < 14; id++) {
                queued.add(own.submit(new MarkingTask(dir, id)));
            }
            for (Future<?> future : queued) {
                assertTrue(future.cancel(false));
            }
            java.nio.file.Files.createFile(dir.resolve("release"));
            assertEquals(1, running.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the running task finishes");
            assertEquals(7, own.submit(value(7)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            own.shutdown();
            assertTrue(own.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(1, Marks.count(dir, "started"), "none of the cancelled tasks ran");
            assertEquals(1, pool.stats().workersStarted(), "cancel(false) stopped no worker");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void closeShouldWaitForTasksButNeverForEverOnOneThatHangs(@TempDir Path dir) throws Exception {
        Pool pool = newPool(1);
        try {
            // A warm worker, and a grace period a loaded machine meets, so that only the hung task outlives it. The
            // finished warm-up call ahead of the two also checks their order: the quick one, submitted first, runs
            // first (a scheduler once sent the hung one first after dropping the finished call).
            PoolExecutorService own = new PoolExecutorService((AbstractPool) pool, Duration.ofSeconds(2));
            assertEquals(0, own.submit(value(0)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            Future<Integer> quick = own.submit(value(4));
            Future<Integer> hung = own.submit(sleeper(dir, 1));
            long start = System.nanoTime();
            assertTimeoutPreemptively(WAIT, own::close, "close() must not wait for ever");
            assertTrue(System.nanoTime() - start < WAIT.toNanos());
            assertEquals(4, quick.get(), "a task that finishes in time completes");
            assertTrue(hung.isCancelled(), "a task still running after the grace period is stopped");
            assertTrue(own.isShutdown());
            assertFalse(Marks.exists(dir, "finished", 1));
        } finally {
            pool.terminate();
        }
    }
}
