package io.procpool.launcher;

import io.procpool.ThreadPool;
import io.procpool.WorkerCrashedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process pool's name: on its threads in a thread dump, before each line its workers write, in its crash reports
 * and its {@code toString()}; made up when it has none; refused when it would break one of them. The named pool is
 * shared by the tests, as starting one is most of their time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessPoolNameTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().processes(2).name("ingest").build();
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Test
    void shouldNameThePoolsThreadsAfterItAndLeaveNoneWithCommonsExecsNames() {
        List<String> expected = List.of("procpool-ingest-loop", "procpool-ingest-watch-0", "procpool-ingest-watch-1",
                "procpool-ingest-stdout-0", "procpool-ingest-stderr-0", "procpool-ingest-stdout-1",
                "procpool-ingest-stderr-1");
        // A worker replaced by another test has its threads back once its replacement has started.
        try {
            Workers.await("the pool's threads " + expected, WAIT, () -> threadNames().containsAll(expected));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the threads are " + threadNames(), e);
        }
        List<String> commonsExec = threadNames().stream().filter(name -> name.startsWith("CommonsExec")).toList();
        assertEquals(List.of(), commonsExec, "threads named by Commons Exec, not after their pool");
    }

    @Test
    void shouldPrefixAWorkersLinesWithThePoolsNameTheWorkersNumberAndItsPid() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            long pid = pool.apply((Integer i) -> {
                System.err.println("complaint from a task " + i);
                return ProcessHandle.current().pid();
            }, 7);
            String line = "] complaint from a task 7";
            Workers.await("the worker's line to reach this JVM", WAIT,
                    () -> captured.toString(StandardCharsets.UTF_8).contains(line));
            String prefixed = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.endsWith(line))
                    .findFirst().orElseThrow();
            assertTrue(prefixed.matches("\\[ingest worker [01] pid " + pid + "] complaint from a task 7"), prefixed);
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void shouldNameThePoolInACrashReport() {
        WorkerCrashedException crash = assertThrows(WorkerCrashedException.class, () -> pool.apply((Integer i) -> {
            Runtime.getRuntime().halt(9);
            return i;
        }, 1));
        assertTrue(crash.getMessage().matches("(?s)worker [01] \\(pid " + crash.pid() + "\\) of pool ingest .*"),
                crash.getMessage());
    }

    @Test
    void shouldShowItsNameAndMakeUpAUniqueOneForAPoolWithoutOne() {
        assertEquals("ingest", pool.name());
        assertTrue(pool.toString().contains("name=ingest"), pool.toString());
        try (ProcessPool unnamed = ProcessPool.create(1); ThreadPool threads = ThreadPool.create(1)) {
            assertTrue(unnamed.name().matches("pool-\\d+"), unnamed.name());
            assertNotEquals(threads.name(), unnamed.name(), "a name made up twice");
            assertTrue(unnamed.toString().contains("name=" + unnamed.name()), unnamed.toString());
            assertTrue(threadNames().contains("procpool-" + unnamed.name() + "-loop"), threadNames().toString());
        }
    }

    @Test
    void shouldRefuseANameThatWouldBreakAThreadDumpALogPrefixOrAJmxNameQuotingIt() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().name(null));
        assertTrue(none.getMessage().contains("null"), none.getMessage());
        for (String bad : List.of("", " ", "in,gest", "in=gest", "in:gest", "in*", "in?", "in\"gest", "ingest ")) {
            String message = assertThrows(IllegalArgumentException.class, () -> ProcessPool.builder().name(bad),
                    bad).getMessage();
            assertTrue(message.contains("'" + bad + "'"), "the message should quote the name: " + message);
        }
        String newline = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().name("in\ngest")).getMessage();
        assertTrue(newline.contains("'in\\ngest'"), newline);
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
