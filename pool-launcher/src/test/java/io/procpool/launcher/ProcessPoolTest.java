package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.Task;
import io.procpool.TaskFailedException;
import io.procpool.TaskTimeoutException;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only a pool of processes does: other JVMs, their set-up, their deaths, and what crosses between them. */
class ProcessPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    void shouldRunTasksInOtherJvms() {
        long me = ProcessHandle.current().pid();
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Long> pids = pool.map((Integer i) -> {
                Thread.sleep(20); // long enough that both workers take part
                return ProcessHandle.current().pid();
            }, IntStream.range(0, 20).boxed().collect(Collectors.toList()), 1);
            Set<Long> distinct = new HashSet<>(pids);
            assertTrue(!distinct.contains(me), "a task ran in the test's own JVM");
            assertEquals(2, distinct.size(), "expected both workers to run tasks: " + distinct);
            Set<Long> children = Workers.liveChildren().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            assertTrue(children.containsAll(distinct), "workers are not this JVM's children: " + distinct);
        }
    }

    @Test
    void shouldRunTheInitializerOnceInEachWorkerBeforeItsFirstTask() {
        String value = "set-by-initializer";
        try (ProcessPool pool = ProcessPool.builder().processes(2)
                .initializer(() -> System.setProperty("procpool.test.init", value
                        + ":" + Integer.getInteger("procpool.test.count", 0)))
                .build()) {
            List<String> seen = pool.map((Integer i) -> System.getProperty("procpool.test.init"),
                    IntStream.range(0, 50).boxed().collect(Collectors.toList()), 1);
            assertEquals(Collections.nCopies(50, value + ":0"), seen);
        }
    }

    @Test
    void shouldFailToBuildWhenTheInitializerThrowsAndSayWhy() {
        PoolException e = assertThrows(PoolException.class, () -> ProcessPool.builder().processes(1)
                .initializer(() -> {
                    throw new IllegalStateException("no database here");
                }).build());
        assertTrue(e.getMessage().contains("initializer"), e.getMessage());
        assertTrue(e.getMessage().contains("no database here"), e.getMessage());
        assertTrue(e.getMessage().contains("command line:"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(List.of(), Workers.queueDirectories(), "a failed start left its queue directory");
    }

    @Test
    void shouldReplaceAWorkerAfterMaxTasksPerChild() {
        try (ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(5).build()) {
            List<Long> pids = pool.map((Integer i) -> ProcessHandle.current().pid(),
                    IntStream.range(0, 40).boxed().collect(Collectors.toList()), 1);
            Map<Long, Long> tasksPerPid = pids.stream()
                    .collect(Collectors.groupingBy(pid -> pid, Collectors.counting()));
            assertTrue(tasksPerPid.size() >= 8, "40 tasks at 5 per child need 8 workers: " + tasksPerPid);
            tasksPerPid.values().forEach(n -> assertTrue(n <= 5, "a worker ran more than 5 tasks: " + tasksPerPid));
            assertEquals(0, pool.stats().workersLost(), "retiring workers are not lost");
            // A worker ends only by retiring, so only the two running now may have run fewer than 5: usually 8
            // workers ran 5 each, but a replacement that started late can leave the last items to the other (9
            // workers: 7 of 5 and 2 that ran 5 between them, as a loaded machine once did).
            long reachedLimit = tasksPerPid.values().stream().filter(n -> n == 5).count();
            assertTrue(tasksPerPid.size() - reachedLimit <= 2, "only the 2 live workers may have run fewer than 5: "
                    + tasksPerPid);
            Workers.await("the " + reachedLimit + " workers that ran 5 tasks each to count as recycled", WAIT,
                    () -> pool.stats().workersRecycled() == reachedLimit, () -> pool.stats().toString());
            Workers.await("each retired worker to be replaced, once", WAIT,
                    () -> pool.stats().workersStarted() == reachedLimit + 2, () -> pool.stats().toString());
        }
    }

    record Point(int x, int y) {
    }

    /** No no-argument constructor, final fields. */
    static final class Money {
        private final long cents;
        private final String currency;

        Money(long cents, String currency) {
            this.cents = cents;
            this.currency = currency;
        }

        Money plus(Money other) {
            return new Money(cents + other.cents, currency);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money && ((Money) o).cents == cents && ((Money) o).currency.equals(currency);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(cents) * 31 + currency.hashCode();
        }
    }

    @Test
    void shouldCarryRecordsClassesWithoutDefaultConstructorsAndJdkCollections() {
        Money fee = new Money(250, "EUR"); // a captured value without a no-argument constructor
        List<Object> items = List.of(
                new Point(1, 2),
                new Money(1000, "EUR"),
                List.of(1, 2, 3),
                Map.of("a", 1),
                Arrays.asList("x", "y"),
                Collections.unmodifiableList(new ArrayList<>(List.of(4, 5))),
                new TreeMap<>(Map.of("k", List.of(new Point(3, 4)))),
                Set.of("s"));
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<Object> echoed = pool.map((Object o) -> o instanceof Money ? ((Money) o).plus(fee) : o, items);
            List<Object> expected = new ArrayList<>(items);
            expected.set(1, new Money(1250, "EUR"));
            assertEquals(expected, echoed);
            Point moved = pool.apply((Point p) -> new Point(p.x() + 1, p.y() + 1), new Point(1, 1));
            assertEquals(new Point(2, 2), moved);
        }
    }

    @Test
    void shouldCarryA64MebibytePayloadBothWays() {
        byte[] payload = new byte[64 << 20];
        for (int i = 0; i < payload.length; i += 4096) {
            payload[i] = (byte) (i >>> 12);
        }
        payload[payload.length - 1] = 42;
        try (ProcessPool pool = ProcessPool.create(1)) {
            byte[] back = pool.apply((byte[] bytes) -> {
                byte[] copy = bytes.clone();
                copy[0] = (byte) (copy[0] + 1);
                return copy;
            }, payload);
            assertEquals(payload.length, back.length);
            payload[0]++;
            assertArrayEquals(payload, back);
            assertTrue(pool.stats().bytesFromWorkers() >= 64 << 20,
                    "arrays passed through files count as bytes that crossed: " + pool.stats());
            assertTrue(pool.stats().bytesToWorkers() >= 64 << 20, pool.stats().toString());
        }
    }

    /** Holds a thread: Kryo cannot serialise it, and neither can Java serialisation. */
    static final class HoldsAThread {
        final Thread thread = new Thread(() -> { });
    }

    @Test
    void shouldFailWithSerializationExceptionsInBothDirectionsAndStayUsable() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            HoldsAThread captured = new HoldsAThread();
            SerializationException badFunction = assertThrows(SerializationException.class,
                    () -> pool.map((Integer i) -> captured.thread.getName(), List.of(1)));
            assertTrue(badFunction.getMessage().contains("function"), badFunction.getMessage());
            assertTrue(badFunction.getMessage().contains(HoldsAThread.class.getName())
                    || badFunction.getMessage().contains("java.lang.Thread"), badFunction.getMessage());

            SerializationException badItem = assertThrows(SerializationException.class,
                    () -> pool.map((Object o) -> 1, List.of(1, new HoldsAThread(), 3)));
            assertTrue(badItem.getMessage().contains("item 1"), badItem.getMessage());

            SerializationException badResult = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> new HoldsAThread(), 1));
            assertTrue(badResult.getMessage().contains("result"), badResult.getMessage());
            assertTrue(badResult.getMessage().contains(HoldsAThread.class.getName()), badResult.getMessage());

            Iterator<Object> mixed = pool.imap((Integer i) -> i == 1 ? new HoldsAThread() : (Object) i,
                    List.of(0, 1, 2), 3);
            assertEquals(0, mixed.next());
            assertThrows(SerializationException.class, mixed::next);
            assertEquals(2, mixed.next(), "the items after an unserialisable result still arrive");

            assertEquals(List.of(2, 4), pool.map((Integer i) -> i * 2, List.of(1, 2)));
        }
    }

    @Test
    void shouldReportTheRemoteStackTraceAndCauseChain() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> pool.apply((Integer i) -> {
                throw new IllegalArgumentException("outer", new ArithmeticException("inner"));
            }, 1));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertInstanceOf(ArithmeticException.class, e.getCause().getCause());
            assertTrue(Arrays.stream(e.getCause().getStackTrace())
                            .anyMatch(frame -> frame.getClassName().equals("io.procpool.worker.WorkerMain")),
                    "the stack trace is the worker's");
        }
    }

    private static Task<Integer, Integer> killableAt(int victim, Path pidFile) {
        return i -> {
            if (i == victim) {
                Path tmp = Files.createTempFile(pidFile.getParent(), "pid", ".tmp");
                Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
                Files.move(tmp, pidFile, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(60_000); // waits to be killed by the test
            }
            return i * 10;
        };
    }

    @Test
    void shouldFailOnlyTheChunkOfAWorkerKilledWithSigkillAndReplaceIt() throws Exception {
        Path pidFile = temp.resolve("victim.pid");
        try (ProcessPool pool = ProcessPool.create(2)) {
            // Items 0-4 must not wait on a worker's first task: the failure of item 5 is read after them.
            Workers.warmEveryWorker(pool, 2);
            Iterator<Integer> results = pool.imap(killableAt(5, pidFile),
                    IntStream.range(0, 12).boxed().collect(Collectors.toList()), 1);
            long victim = Workers.awaitPid(pidFile, WAIT);
            long killedAt = System.nanoTime();
            assertTrue(ProcessHandle.of(victim).orElseThrow().destroyForcibly());
            Workers.Drained drained = Workers.drain(results);
            List<Object> outcomes = drained.outcomes();
            long seenAt = drained.firstFailureNanos();
            long noticedMs = TimeUnit.NANOSECONDS.toMillis(seenAt - killedAt);
            System.out.println("SIGKILL -> WorkerCrashedException in " + noticedMs + " ms");
            assertTrue(noticedMs < 1000, "the kill was noticed only after " + noticedMs + " ms");
            assertEquals(12, outcomes.size());
            for (int i = 0; i < 12; i++) {
                if (i == 5) {
                    WorkerCrashedException crash = assertInstanceOf(WorkerCrashedException.class, outcomes.get(i));
                    assertEquals(victim, crash.pid());
                    assertEquals(137, crash.exitCode());
                    assertTrue(crash.getMessage().contains("SIGKILL"), crash.getMessage());
                    // This machine's kernel counts OOM kills (/proc/vmstat): a kill by another process says so.
                    assertTrue(crash.getMessage().contains("not by the kernel's OOM killer"), crash.getMessage());
                    assertTrue(crash.getMessage().contains("item 5"), crash.getMessage());
                } else {
                    assertEquals(i * 10, outcomes.get(i), "item " + i);
                }
            }
            assertEquals(List.of(1, 2, 3), pool.map((Integer i) -> i, List.of(1, 2, 3)));
            assertEquals(3, pool.stats().workersStarted());
            assertEquals(1, pool.stats().workersLost());
        }
    }

    /** Kills any worker that rebuilds it: its class initialiser halts a JVM that is a procpool worker. */
    static final class Poison {
        static {
            if (System.getProperty("procpool.idle") != null) { // set on workers' command lines only
                Runtime.getRuntime().halt(1);
            }
        }

        final int value = 1;
    }

    @Test
    void shouldFailAnItemThatKillsItsWorkerWhileBeingRebuiltInsteadOfResendingItForEver() {
        try (ProcessPool pool = ProcessPool.builder().processes(1).retries(2).build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                WorkerCrashedException e = assertThrows(WorkerCrashedException.class,
                        () -> pool.apply((Poison p) -> p.value, new Poison()));
                assertTrue(e.getMessage().contains("attempt 3"), e.getMessage());
            });
            assertEquals(3, pool.stats().workersLost(), "one worker per attempt, then it stops");
            assertEquals(2, pool.apply((Integer i) -> i + 1, 1), "the pool carries on");
        }
    }

    @Test
    void shouldReportSystemExitInATaskWithItsCodeAndStderr() throws Exception {
        String exitedAt = temp.resolve("exited-at").toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            WorkerCrashedException e = assertThrows(WorkerCrashedException.class, () -> pool.apply((Integer i) -> {
                System.err.println("about to exit, item " + i);
                System.err.flush();
                Files.writeString(Path.of(exitedAt), Long.toString(System.nanoTime()));
                System.exit(42);
                return i;
            }, 7));
            long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                    - Long.parseLong(Files.readString(Path.of(exitedAt)).trim()));
            System.out.println("System.exit(42) -> WorkerCrashedException in " + noticedMs + " ms");
            assertTrue(noticedMs < 1000, "the exit was noticed only after " + noticedMs + " ms");
            assertEquals(42, e.exitCode());
            assertTrue(e.getMessage().contains("about to exit, item 7"), e.getMessage());
            assertEquals(8, pool.apply((Integer i) -> i + 1, 7), "a replacement worker took over");
        }
    }

    @Test
    void shouldTimeOutALateTaskKillItsWorkerAndCarryOnWithTheRest() {
        try (ProcessPool pool = ProcessPool.builder().processes(2).taskTimeout(Duration.ofSeconds(1)).build()) {
            long start = System.nanoTime();
            Iterator<Integer> results = pool.imap((Integer i) -> {
                if (i == 3) {
                    Thread.sleep(60_000);
                }
                return i;
            }, IntStream.range(0, 8).boxed().collect(Collectors.toList()), 1);
            List<Object> outcomes = new ArrayList<>(Workers.drain(results).outcomes());
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            TaskTimeoutException timeout = assertInstanceOf(TaskTimeoutException.class, outcomes.get(3));
            System.out.println("taskTimeout(1 s) -> " + timeout.getMessage());
            assertEquals(Duration.ofSeconds(1), timeout.timeout());
            assertTrue(timeout.getMessage().contains("item 3"), timeout.getMessage());
            outcomes.remove(3);
            assertEquals(List.of(0, 1, 2, 4, 5, 6, 7), outcomes);
            assertTrue(elapsedMs < 30_000, "the late task was not cut short: " + elapsedMs + " ms");
            assertEquals(List.of(1), pool.map((Integer i) -> i, List.of(1)));
        }
    }

    @Test
    void shouldLeaveNoProcessQueueDirectoryOrThreadAfterClose() {
        List<Long> pids;
        try (ProcessPool pool = ProcessPool.create(2)) {
            pool.map((Integer i) -> i, List.of(1, 2, 3));
            pids = Workers.liveChildren().stream().map(ProcessHandle::pid).collect(Collectors.toList());
            assertTrue(pids.size() >= 2, "expected the workers among this JVM's children: " + pids);
            assertTrue(!Workers.queueDirectories().isEmpty(), "the queue directory should exist while open");
        }
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "worker " + pid + " survived");
        }
        assertEquals(List.of(), Workers.queueDirectories());
        assertEquals(List.of(), Workers.poolThreads());
    }

    @Test
    void shouldKillWorkersAndFailUnfinishedWorkOnTerminate() throws Exception {
        ProcessPool pool = ProcessPool.create(2);
        CompletableFuture<List<Integer>> never = pool.mapAsync((Integer i) -> {
            Thread.sleep(60_000);
            return i;
        }, List.of(1, 2));
        List<Long> pids = Workers.liveChildren().stream().map(ProcessHandle::pid).collect(Collectors.toList());
        pool.terminate();
        ExecutionException e = assertThrows(ExecutionException.class, () -> never.get(10, TimeUnit.SECONDS));
        assertInstanceOf(PoolException.class, e.getCause());
        pool.join();
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "worker " + pid + " survived");
        }
        assertEquals(List.of(), Workers.queueDirectories());
        assertThrows(IllegalStateException.class, () -> pool.apply((Integer i) -> i, 1));
    }

    @Test
    void shouldRefuseToBlockOnThePoolFromItsOwnCallbackThread() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            CompletableFuture<Integer> nested = pool.applyAsync((Integer i) -> i, 1)
                    .thenApply(i -> pool.apply((Integer j) -> j + 1, i));
            ExecutionException e = assertThrows(ExecutionException.class, () -> nested.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            CompletableFuture<Integer> async = pool.applyAsync((Integer i) -> i, 1)
                    .thenCompose(i -> pool.applyAsync((Integer j) -> j + 1, i));
            assertEquals(2, async.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldPassAWorkersOutputToThisJvmPrefixedWithItsPoolNumberAndPid() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(captured, true));
        try (ProcessPool pool = ProcessPool.create(1)) {
            long pid = pool.apply((Integer i) -> {
                System.out.println("hello from a task " + i);
                return ProcessHandle.current().pid();
            }, 5);
            String line = "[" + pool.name() + " worker 0 pid " + pid + "] hello from a task 5";
            Workers.await("the worker's line to reach this JVM as " + line, WAIT,
                    () -> captured.toString().contains(line));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void shouldRejectBadSettingsNamingTheValue() {
        IllegalArgumentException processes = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.create(0));
        assertTrue(processes.getMessage().contains("0"), processes.getMessage());
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().maxTasksPerChild(-2).build());
        assertTrue(max.getMessage().contains("-2"), max.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().taskTimeout(Duration.ZERO).build());
    }

    @Test
    void shouldFailToBuildWithBadJvmOptionsShowingTheCommandAndStderr() {
        PoolException e = assertThrows(PoolException.class,
                () -> ProcessPool.builder().processes(1).jvmOptions("-XX:+NoSuchOptionAnywhere").build());
        assertTrue(e.getMessage().contains("-XX:+NoSuchOptionAnywhere"), e.getMessage());
        assertTrue(e.getMessage().contains("Unrecognized VM option"), e.getMessage());
        assertNotEquals(0, Workers.queueDirectories().size() + 1); // the message is the point; cleanup below
        assertEquals(List.of(), Workers.queueDirectories());
    }
}
