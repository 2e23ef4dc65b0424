package io.procpool.launcher;

import io.procpool.PoolException;
import io.procpool.RemoteException;
import io.procpool.SerializationException;
import io.procpool.TaskFailedException;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3: every way a worker or its input can go wrong ends in a typed error for exactly the work concerned, in
 * bounded time, and the pool carries on. Faults are real: {@code Runtime.halt}, a JVM crash, out of memory,
 * SIGSTOP, {@code System.exit}, broken start-ups, parents that exit without closing, and bad input.
 */
class FaultToleranceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }

    /** Reads every outcome of an iterator: a result, or the {@link PoolException} its item failed with. */
    private static List<Object> drain(Iterator<?> results) {
        return Workers.drain(results).outcomes();
    }

    private static void assertUsable(ProcessPool pool) {
        assertEquals(List.of(2, 3, 4), pool.map((Integer i) -> i + 1, List.of(1, 2, 3)),
                "the pool is not usable after the fault");
    }

    private static void writeAtomically(Path file, String text) throws Exception {
        Path tmp = Files.createTempFile(file.getParent(), "tmp", ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------ dying workers

    @Test
    void shouldNoticeAWorkerKilledByRuntimeHaltAndFailOnlyItsChunk() throws Exception {
        String haltedAt = temp.resolve("halted-at").toString();
        try (ProcessPool pool = ProcessPool.create(2)) {
            // Items 0-3 must not wait on a worker's first task: the failure of item 4 is read after them.
            Workers.warmEveryWorker(pool, 2);
            Iterator<Integer> results = pool.imap((Integer i) -> {
                if (i == 4) {
                    Files.writeString(Path.of(haltedAt), Long.toString(System.nanoTime()));
                    Runtime.getRuntime().halt(9);
                }
                return i * 10;
            }, range(10), 1);
            Workers.Drained drained = Workers.drain(results);
            List<Object> outcomes = drained.outcomes();
            long seenAt = drained.firstFailureNanos();
            assertEquals(10, outcomes.size());
            for (int i = 0; i < 10; i++) {
                if (i == 4) {
                    WorkerCrashedException crash = assertInstanceOf(WorkerCrashedException.class, outcomes.get(i));
                    assertEquals(9, crash.exitCode(), crash.getMessage());
                    assertTrue(crash.getMessage().contains("item 4"), crash.getMessage());
                } else {
                    assertEquals(i * 10, outcomes.get(i), "item " + i);
                }
            }
            long haltNanos = Long.parseLong(Files.readString(Path.of(haltedAt)).trim());
            long noticedMs = TimeUnit.NANOSECONDS.toMillis(seenAt - haltNanos);
            System.out.println("Runtime.halt(9) -> WorkerCrashedException in " + noticedMs + " ms");
            assertTrue(noticedMs < 1000, "the halt was noticed only after " + noticedMs + " ms");
            assertUsable(pool);
            assertEquals(1, pool.stats().workersLost(), pool.stats().toString());
        }
    }

    @Test
    void shouldSurviveAWorkerJvmCrashAndReportTheSignal() throws Exception {
        String crashedAt = temp.resolve("crashed-at").toString();
        Path workingDirectory = Path.of("").toAbsolutePath();
        try (ProcessPool pool = ProcessPool.create(1)) {
            long before = pool.apply((Integer i) -> ProcessHandle.current().pid(), 0);
            WorkerCrashedException crash = assertThrows(WorkerCrashedException.class, () -> pool.apply((Integer i) -> {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                Files.writeString(Path.of(crashedAt), Long.toString(System.nanoTime()));
                ((sun.misc.Unsafe) f.get(null)).putAddress(0, 0);
                return i;
            }, 1));
            long seenAt = System.nanoTime();
            long crashNanos = Long.parseLong(Files.readString(Path.of(crashedAt)).trim());
            System.out.println("JVM crash -> WorkerCrashedException in "
                    + TimeUnit.NANOSECONDS.toMillis(seenAt - crashNanos) + " ms: " + crash.getMessage());
            assertEquals(before, crash.pid());
            assertNotEquals(0, crash.exitCode(), crash.getMessage());
            String message = crash.getMessage();
            assertTrue(message.contains("SIGABRT") || message.contains("SIGSEGV") || message.contains("signal")
                    || message.contains("fatal error"), message);
            Path strayReport = workingDirectory.resolve("hs_err_pid" + before + ".log");
            boolean stray = Files.exists(strayReport);
            Files.deleteIfExists(strayReport);
            assertFalse(stray, "the crashed worker wrote its error report into the working directory: " + strayReport);
            List<Path> reports;
            try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                reports = files.filter(f -> f.getFileName().toString().contains("hs_err_pid" + before))
                        .collect(Collectors.toList());
            }
            for (Path report : reports) {
                Files.delete(report);
            }
            assertEquals(1, reports.size(), "expected the crash report in the temporary directory: " + reports);
            assertUsable(pool);
        }
    }

    @Test
    void shouldReportAWorkerOutOfMemoryWithExitCode3() {
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions("-Xmx64m").build()) {
            long start = System.nanoTime();
            WorkerCrashedException crash = assertThrows(WorkerCrashedException.class, () -> pool.apply((Integer i) -> {
                // Standard error has something to say first, as a logger's start-up notice would.
                System.err.println("a notice on standard error");
                List<byte[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new byte[1 << 20]);
                }
            }, 1));
            System.out.println("out of memory -> WorkerCrashedException after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (allocation included): "
                    + crash.getMessage());
            assertEquals(3, crash.exitCode(), crash.getMessage());
            assertTrue(crash.getMessage().contains("out of memory"), crash.getMessage());
            assertTrue(crash.getMessage().contains("Terminating due to java.lang.OutOfMemoryError"),
                    "the JVM's own words on standard output should be quoted: " + crash.getMessage());
            assertUsable(pool);
        }
    }

    @SuppressWarnings("InfiniteRecursion") // on purpose: the task must overflow the worker's stack
    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void shouldFailAStackOverflowAsATaskFailureAndKeepTheWorker() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            long before = pool.apply((Integer i) -> ProcessHandle.current().pid(), 0);
            TaskFailedException e = assertThrows(TaskFailedException.class,
                    () -> pool.apply((Integer i) -> recurse(i), 0));
            assertInstanceOf(StackOverflowError.class, e.getCause(), e.toString());
            long after = pool.apply((Integer i) -> ProcessHandle.current().pid(), 0);
            assertEquals(before, after, "a stack overflow must not cost the worker");
            assertEquals(0, pool.stats().workersLost(), pool.stats().toString());
        }
    }

    @Test
    void shouldKillAWorkerWhoseHeartbeatStopsAndSayHowStaleItWas() throws Exception {
        Path pidFile = temp.resolve("stopped.pid");
        String pidPath = pidFile.toString();
        try (ProcessPool pool = ProcessPool.builder().processes(1).heartbeatTimeout(Duration.ofSeconds(1)).build()) {
            CompletableFuture<Integer> frozen = pool.applyAsync((Integer i) -> {
                Path file = Path.of(pidPath);
                Path tmp = Files.createTempFile(file.getParent(), "pid", ".tmp");
                Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(60_000); // frozen by the test before this ends
                return i;
            }, 1);
            long pid = Workers.awaitPid(pidFile, WAIT);
            try {
                Workers.signal(pid, "STOP");
                long stoppedAt = System.nanoTime();
                ExecutionException e = assertThrows(ExecutionException.class, () -> frozen.get(10, TimeUnit.SECONDS));
                long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                WorkerCrashedException crash = assertInstanceOf(WorkerCrashedException.class, e.getCause());
                System.out.println("SIGSTOP -> WorkerCrashedException in " + failedMs + " ms: " + crash.getMessage());
                assertEquals(pid, crash.pid());
                assertTrue(crash.getMessage().contains("heartbeat"), crash.getMessage());
                assertTrue(crash.getMessage().contains("1000 ms"), crash.getMessage());
                assertTrue(failedMs < 5000, "the frozen worker was found only after " + failedMs + " ms");
                Workers.await("the frozen worker to be gone", WAIT,
                        () -> ProcessHandle.of(pid).map(p -> !Workers.isRunning(p)).orElse(true));
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            assertUsable(pool);
        }
    }

    // ------------------------------------------------------------------ retries

    @Test
    void shouldRetryAChunkWhoseWorkerDiedAndReturnEveryResult() {
        String marker = temp.resolve("exited-once").toString();
        try (ProcessPool pool = ProcessPool.builder().processes(2).retries(2).build()) {
            List<Integer> results = pool.map((Integer i) -> {
                if (i == 3 && !Files.exists(Path.of(marker))) {
                    Files.createFile(Path.of(marker));
                    System.exit(1);
                }
                return i * 10;
            }, range(8), 1);
            assertEquals(range(8).stream().map(i -> i * 10).collect(Collectors.toList()), results);
            assertTrue(Files.exists(Path.of(marker)), "item 3's first attempt never ran");
            assertEquals(1, pool.stats().workersLost(), pool.stats().toString());
        }
    }

    @Test
    void shouldGiveUpOnAnItemThatKillsEveryWorkerAfterItsRetries() throws Exception {
        Path attempts = Files.createDirectory(temp.resolve("attempts"));
        String attemptDir = attempts.toString();
        try (ProcessPool pool = ProcessPool.builder().processes(2).retries(2).build()) {
            List<Object> outcomes = drain(pool.imap((Integer i) -> {
                if (i == 3) {
                    Files.createTempFile(Path.of(attemptDir), "attempt", ".txt");
                    System.exit(1);
                }
                return i * 10;
            }, range(8), 1));
            assertEquals(8, outcomes.size(), outcomes.toString());
            for (int i = 0; i < 8; i++) {
                if (i == 3) {
                    WorkerCrashedException crash = assertInstanceOf(WorkerCrashedException.class, outcomes.get(i));
                    assertEquals(1, crash.exitCode(), crash.getMessage());
                    assertTrue(crash.getMessage().contains("item 3"), crash.getMessage());
                } else {
                    assertEquals(i * 10, outcomes.get(i), "item " + i);
                }
            }
            try (Stream<Path> files = Files.list(attempts)) {
                assertEquals(3, files.count(), "item 3 should run once and be retried twice");
            }
            assertUsable(pool);
            assertEquals(3, pool.stats().workersLost(), pool.stats().toString());
        }
    }

    // ------------------------------------------------------------------ start-up failures

    private static void assertNothingLeftBehind() {
        assertEquals(List.of(), Workers.queueDirectories(), "a failed start left its queue directory");
        List<ProcessHandle> children = Workers.liveChildren();
        assertEquals(List.of(), children.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.toList()), "a failed start left a child process");
    }

    @Test
    void shouldFailToBuildWithAJavaThatDoesNotExistNamingTheCommand() {
        PoolException e = assertThrows(PoolException.class, () -> ProcessPool.builder().processes(1)
                .javaExecutable(Path.of("/nonexistent/java")).build());
        System.out.println("missing java: " + e.getMessage());
        assertTrue(e.getMessage().contains("command line:"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/java"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), "the message should say why the "
                + "command could not run: " + e.getMessage());
        assertNothingLeftBehind();
    }

    @Test
    void shouldFailToBuildWhenTheWorkerExitsWithoutEverBeingReady() {
        PoolException e = assertThrows(PoolException.class, () -> ProcessPool.builder().processes(1)
                .javaExecutable(Path.of("/bin/true")).build());
        System.out.println("/bin/true: " + e.getMessage());
        assertTrue(e.getMessage().contains("command line: /bin/true"), e.getMessage());
        assertTrue(e.getMessage().contains("code 0"), e.getMessage());
        assertNothingLeftBehind();
    }

    @Test
    void shouldFailToBuildWhenTheWorkersMainClassCannotBeLoadedQuotingItsStderr() {
        PoolException e = assertThrows(PoolException.class, () -> ProcessPool.builder().processes(1)
                .jvmOptions("-cp", "/nonexistent").build());
        System.out.println("bad classpath: " + e.getMessage());
        assertTrue(e.getMessage().contains("command line:"), e.getMessage());
        assertTrue(e.getMessage().contains("Could not find or load main class io.procpool.worker.WorkerMain"),
                e.getMessage());
        assertNothingLeftBehind();
    }

    @Test
    void shouldMarkThePoolBrokenWhenReplacementsKeepFailingAndFailCallsFast() throws Exception {
        Path marker = temp.resolve("refuse-to-start");
        String markerPath = marker.toString();
        ProcessPool pool = ProcessPool.builder().processes(1)
                .initializer(() -> {
                    if (Files.exists(Path.of(markerPath))) {
                        throw new IllegalStateException("the marker says no");
                    }
                })
                .build();
        try {
            assertUsable(pool);
            Files.createFile(marker);
            Workers.liveChildren().forEach(ProcessHandle::destroyForcibly);
            Workers.await("the pool to see its worker die", WAIT, () -> pool.stats().workersLost() == 1);
            long start = System.nanoTime();
            CompletableFuture<Integer> waiting = submitOrFail(() -> pool.applyAsync((Integer i) -> i, 1));
            ExecutionException first = assertThrows(ExecutionException.class, () -> waiting.get(60, TimeUnit.SECONDS));
            System.out.println("pool broken after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                    + " ms: " + first.getCause().getMessage());
            assertInstanceOf(PoolException.class, first.getCause());
            assertTrue(first.getCause().getMessage().contains("broken"), first.getCause().getMessage());
            for (int n = 0; n < 3; n++) {
                long callStart = System.nanoTime();
                PoolException again = assertThrows(PoolException.class, () -> pool.apply((Integer i) -> i, 1));
                long callMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callStart);
                assertTrue(again.getMessage().contains("broken"), again.getMessage());
                assertTrue(callMs < 1000, "a call on a broken pool took " + callMs + " ms");
            }
        } finally {
            CompletableFuture<Void> closed = CompletableFuture.runAsync(pool::close);
            closed.get(30, TimeUnit.SECONDS);
        }
        assertNothingLeftBehind();
    }

    /** A call refused at once counts like a call that fails later: both are what a broken pool may do. */
    private static <V> CompletableFuture<V> submitOrFail(Supplier<CompletableFuture<V>> submit) {
        try {
            return submit.get();
        } catch (PoolException refused) {
            return CompletableFuture.failedFuture(refused);
        }
    }

    // ------------------------------------------------------------------ parents that do not close

    /**
     * A parent program without the class-data archive's writer: the first pool on its class path would start one,
     * which a busy machine (a test run) does not let run, and each exit would wait out its grace. Archives are not
     * these tests' subject ({@code ArchiveWriterTest}'s).
     */
    private static Process startParent(String mode) throws Exception {
        return Workers.startJvm(List.of("-D" + CdsArchive.PROPERTY + "=false"), ParentProgram.class, mode);
    }

    private static List<ProcessHandle> readWorkers(Process parent, ByteArrayOutputStream rest) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                StandardCharsets.UTF_8));
        String line = Workers.awaitLine(lines, "workers ");
        Thread drain = new Thread(() -> {
            try {
                lines.transferTo(new java.io.OutputStreamWriter(rest, StandardCharsets.UTF_8) {
                    @Override
                    public void write(char[] buffer, int offset, int length) throws java.io.IOException {
                        super.write(buffer, offset, length);
                        flush();
                    }
                });
            } catch (java.io.IOException e) {
                // The parent is gone.
            }
        }, "parent-output");
        drain.setDaemon(true);
        drain.start();
        List<ProcessHandle> workers = new ArrayList<>();
        String[] pids = line.substring("workers ".length()).split(",");
        for (String pid : pids) {
            // A parent that returns from main at once may be gone, and its workers with it, before this reads the
            // line: a worker already gone is a worker that did not outlive its parent.
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(workers::add);
        }
        assertEquals(2, pids.length, line);
        return workers;
    }

    private static void assertParentCleanedUp(Process parent, List<ProcessHandle> workers, String how,
                                              ByteArrayOutputStream output) throws Exception {
        if (!parent.waitFor(15, TimeUnit.SECONDS)) {
            String dump = Workers.threadDump(parent.pid());
            String nonDaemon = dump.lines()
                    .filter(l -> l.startsWith("\"") && l.contains(" #") && !l.contains(" daemon "))
                    .collect(Collectors.joining("\n"));
            throw new AssertionError("the parent JVM did not exit within 15 s after " + how
                    + "; its non-daemon threads:\n" + nonDaemon);
        }
        long exited = System.nanoTime();
        for (ProcessHandle worker : workers) {
            Workers.await("worker " + worker.pid() + " to exit after its parent " + how, Duration.ofSeconds(2),
                    () -> !Workers.isRunning(worker));
        }
        System.out.println("workers gone " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exited)
                + " ms after their parent " + how + " (exit code " + parent.exitValue() + ")");
        assertEquals(List.of(), Workers.queueDirectoriesOf(parent.pid()),
                "the parent's queue directory outlived it; its output: " + output);
    }

    @Test
    void shouldCleanUpWorkersAndQueuesWhenTheParentReturnsFromMainWithoutClosing() throws Exception {
        Process parent = startParent("return");
        try {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<ProcessHandle> workers = readWorkers(parent, output);
            assertParentCleanedUp(parent, workers, "returned from main", output);
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);
            Workers.queueDirectoriesOf(parent.pid()).forEach(PoolDirectory::deleteQuietly);
        }
    }

    @Test
    void shouldCleanUpWorkersAndQueuesWhenTheParentGetsSigterm() throws Exception {
        Process parent = startParent("wait");
        try {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<ProcessHandle> workers = readWorkers(parent, output);
            parent.destroy();
            assertParentCleanedUp(parent, workers, "got SIGTERM", output);
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);
            Workers.queueDirectoriesOf(parent.pid()).forEach(PoolDirectory::deleteQuietly);
        }
    }

    @Test
    void shouldStopWorkersWhoseParentStopsBeatingWithinThreeHeartbeatTimeouts() throws Exception {
        Process parent = startParent("freeze");
        try {
            List<ProcessHandle> workers = readWorkers(parent, new ByteArrayOutputStream());
            Workers.signal(parent.pid(), "STOP");
            long frozenAt = System.nanoTime();
            for (ProcessHandle worker : workers) {
                Workers.await("worker " + worker.pid() + " to exit after its parent froze", Duration.ofSeconds(6),
                        () -> !Workers.isRunning(worker));
            }
            long goneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
            System.out.println("workers exited " + goneMs + " ms after their parent was frozen (limit 3 x 1000 ms)");
            assertTrue(goneMs >= 2500, "the workers gave up on their parent after only " + goneMs + " ms");
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);
            // A parent killed while frozen cannot clean up: remove what it left, as the next pool would.
            Workers.queueDirectoriesOf(parent.pid()).forEach(PoolDirectory::deleteQuietly);
        }
    }

    // ------------------------------------------------------------------ bad input

    /** An exception that Java serialisation cannot write: it must still arrive, as a mirror. */
    static final class UnshippableException extends RuntimeException {
        final Object lock = new Object();

        UnshippableException(String message) {
            super(message);
        }
    }

    /** Bad input of every kind, on one pool, each followed by a call that must work. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class BadInput {
        private ProcessPool pool;

        @BeforeAll
        void startPool() {
            pool = ProcessPool.create(1);
        }

        @AfterAll
        void closePool() {
            pool.close();
        }

        @Test
        void shouldRefuseAnItemWhoseClassOnlyTheParentHasNamingIt(@TempDir Path dir) throws Exception {
            Path sources = Files.createDirectories(dir.resolve("src/gen"));
            Path classes = Files.createDirectories(dir.resolve("classes"));
            Path source = sources.resolve("OnlyInParent.java");
            Files.writeString(source, "package gen;\npublic class OnlyInParent {\n    public int value = 7;\n"
                    + "    public String toString() { return \"only in the parent\"; }\n}\n");
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), source.toString()));
            try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()},
                    FaultToleranceTest.class.getClassLoader())) {
                Object item = loader.loadClass("gen.OnlyInParent").getDeclaredConstructor().newInstance();
                SerializationException e = assertThrows(SerializationException.class,
                        () -> pool.apply((Object o) -> o.toString(), item));
                System.out.println("item of a parent-only class: " + e.getMessage());
                assertTrue(e.getMessage().contains("gen.OnlyInParent"), e.getMessage());
                assertTrue(e.getMessage().contains("worker"), "should be the worker's deserialisation: "
                        + e.getMessage());
            }
            assertUsable(pool);
        }

        @Test
        void shouldRefuseACapturedLambdaThatIsNotSerializableAtSubmit() {
            Supplier<String> greeting = () -> "hello";
            SerializationException e = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> greeting.get() + i, 1));
            assertTrue(e.getMessage().toLowerCase().contains("lambda"), e.getMessage());
            // The asynchronous form fails its future with the same exception, as the contract says.
            java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> pool.applyAsync((Integer i) -> greeting.get() + i, 1).get(10, TimeUnit.SECONDS));
            assertInstanceOf(SerializationException.class, async.getCause());
            assertUsable(pool);
        }

        @Test
        void shouldMirrorAnExceptionThatCannotBeSerialisedKeepingClassAndMessage() {
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> pool.apply((Integer i) -> {
                throw new UnshippableException("cannot ship item " + i);
            }, 5));
            RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause(), e.toString());
            assertEquals(UnshippableException.class.getName(), remote.remoteClassName());
            assertEquals("cannot ship item 5", remote.remoteMessage());
            assertTrue(e.getMessage().contains("cannot ship item 5"), e.getMessage());
            assertUsable(pool);
        }

        @Test
        void shouldCarryA256MebibyteResultIntact() {
            int size = 256 << 20;
            long start = System.nanoTime();
            byte[] back = pool.apply((Integer n) -> {
                byte[] bytes = new byte[n];
                for (int k = 0; k < n; k += 4096) {
                    bytes[k] = (byte) (k >>> 12);
                }
                bytes[n - 1] = 42;
                return bytes;
            }, size);
            System.out.println("256 MiB result in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                    + " ms");
            assertEquals(size, back.length);
            for (int k : new int[]{0, 4096, 1 << 20, size / 2, size - 4096}) {
                assertEquals((byte) (k >>> 12), back[k], "byte " + k);
            }
            assertEquals(42, back[size - 1]);
            assertEquals(0, back[size - 2]);
            assertUsable(pool);
        }

        @Test
        void shouldStopAMapWhoseCallerIsInterruptedAndDropItsRemainingChunks() throws Exception {
            long submittedBefore = pool.stats().tasksSubmitted();
            long completedBefore = pool.stats().tasksCompleted();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            AtomicLong thrownAt = new AtomicLong();
            Thread caller = new Thread(() -> {
                try {
                    pool.map((Integer i) -> {
                        Thread.sleep(50);
                        return i;
                    }, range(200), 1);
                } catch (Throwable t) {
                    thrownAt.set(System.nanoTime());
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                    thrown.set(t);
                }
            }, "interrupted-caller");
            caller.start();
            Workers.await("the first results", WAIT, () -> pool.stats().tasksCompleted() > completedBefore);
            long interruptedAt = System.nanoTime();
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(caller.isAlive(), "map() did not return after its caller was interrupted");
            long returnMs = TimeUnit.NANOSECONDS.toMillis(thrownAt.get() - interruptedAt);
            System.out.println("interrupted map() threw after " + returnMs + " ms: " + thrown.get());
            assertInstanceOf(PoolException.class, thrown.get());
            assertTrue(stillInterrupted.get(), "the caller's interrupt flag was not restored");
            assertTrue(returnMs < 5000, "the interrupted call returned only after " + returnMs + " ms");
            assertUsable(pool);
            long submitted = pool.stats().tasksSubmitted() - submittedBefore;
            System.out.println("items of the interrupted map sent to workers: " + (submitted - 3) + " of 200");
            assertTrue(submitted < 50, "the interrupted call's chunks kept running: " + submitted + " items sent");
        }

        @Test
        void shouldRefuseATaskThatCapturesThePoolItRunsOn() {
            ProcessPool self = pool;
            SerializationException e = assertThrows(SerializationException.class,
                    () -> self.apply((Integer i) -> self.size() + i, 1));
            assertTrue(e.getMessage().contains("a pool cannot be sent to a worker"), e.getMessage());
            java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> self.applyAsync((Integer i) -> self.size() + i, 1).get(10, TimeUnit.SECONDS));
            assertInstanceOf(SerializationException.class, async.getCause());
            assertUsable(pool);
        }
    }

    // ------------------------------------------------------------------ class allow-list

    record Pair(int left, int right) {
    }

    @Test
    void shouldRefuseClassesOutsideTheAllowListAndAcceptThemWhenAllowed() {
        try (ProcessPool pool = ProcessPool.builder().processes(1).allowClasses("java.**").build()) {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> new Pair(i, i + 1), 1));
            System.out.println("allowClasses(java.**): " + e.getMessage());
            assertTrue(e.getMessage().contains(FaultToleranceTest.class.getName()), e.getMessage());
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .allowClasses("java.**", FaultToleranceTest.class.getName()).build()) {
            SerializationException result = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> new Pair(i, i + 1), 1));
            System.out.println("a result outside the allow-list: " + result.getMessage());
            assertTrue(result.getMessage().contains(Pair.class.getName()), result.getMessage());
            SerializationException item = assertThrows(SerializationException.class,
                    () -> pool.apply((Pair p) -> p.left() + p.right(), new Pair(1, 2)));
            System.out.println("an item outside the allow-list: " + item.getMessage());
            assertTrue(item.getMessage().contains(Pair.class.getName()), item.getMessage());
            assertEquals(List.of(2, 3), pool.map((Integer i) -> i + 1, List.of(1, 2)));
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .allowClasses("java.**", "io.procpool.**").build()) {
            assertEquals(new Pair(1, 2), pool.apply((Integer i) -> new Pair(i, i + 1), 1));
            assertEquals(3, pool.apply((Pair p) -> p.left() + p.right(), new Pair(1, 2)));
        }
    }
}
