package io.procpool.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.procpool.Task;
import io.procpool.metrics.PoolMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a cluster pool leaves behind (nothing), its name on its threads, its meters, JMX bean and its members' log
 * lines, and the builder's checks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterPoolLifecycleTest {
    private static final Task<Integer, Long> PID = x -> ProcessHandle.current().pid();
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void shouldNameItsThreadsAfterItAndLeaveNoMemberJvmOrThreadAfterClose() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        // The members' lines reach this JVM's standard error through the pool's relay: kept to be read below.
        ByteArrayOutputStream relayed = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        System.setErr(new PrintStream(new TeeStream(relayed, realErr), true, StandardCharsets.UTF_8));
        ObjectName bean = new ObjectName("io.procpool:type=Pool,name=lifecycle");
        MeterRegistry registry = new SimpleMeterRegistry();
        ClusterPool pool;
        try {
            pool = ClusterPool.builder().localMembers(2).workersPerMember(1).name("lifecycle").jmx(true).build();
        } catch (RuntimeException e) {
            System.setErr(realErr);
            throw e;
        }
        List<Long> members = pool.memberPids();
        try {
            checkNamesMetersAndClose(pool, before, bean, registry, relayed);
        } finally {
            System.setErr(realErr);
        }
        String lines = relayed.toString(StandardCharsets.UTF_8);
        assertTrue(lines.lines().anyMatch(line -> line.startsWith("[lifecycle member ")
                && line.contains("INFO io.procpool.cluster - cluster ") && line.contains("joined; 2 member(s) now")),
                "a member should log the other's joining: " + lines);
        assertTrue(lines.lines().anyMatch(line -> line.startsWith("[lifecycle member ")
                && line.contains(" pid " + members.get(0) + "] ") && line.contains("is stopping")),
                "the member the pool's close() stopped should say so, relayed before close() returns: " + lines);
        assertFalse(SERVER.isRegistered(bean), "the bean should go when the pool closes");
        assertEquals(0.0, registry.get("procpool.workers").tag("pool", "lifecycle").gauge().value());
    }

    private static void checkNamesMetersAndClose(ClusterPool pool, Set<Thread> before, ObjectName bean,
                                                 MeterRegistry registry, ByteArrayOutputStream relayed)
            throws Exception {
        assertEquals("lifecycle", pool.name());
        assertTrue(pool.toString().startsWith("ClusterPool[name=lifecycle, "), pool.toString());
        Set<String> threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).collect(Collectors.toSet());
        assertTrue(threads.containsAll(List.of("procpool-lifecycle-loop", "procpool-lifecycle-member-watch-1",
                "procpool-lifecycle-member-stdout-1", "procpool-lifecycle-member-stderr-2")), threads.toString());
        assertTrue(threads.stream().anyMatch(name -> name.startsWith("hz.procpool-lifecycle-client-")),
                "the Hazelcast client's threads should be named after the pool: " + threads);
        assertTrue(threads.stream().noneMatch(name -> name.startsWith("CommonsExec")), threads.toString());
        // As build() returns, with no wait: both members in use and counted (ClusterPoolContractTest checks more).
        List<Long> members = pool.memberPids();
        assertEquals(List.of(2, 2, 2L), List.of(members.size(), pool.size(), pool.stats().workersStarted()),
                "members in use, size() and workersStarted");
        new PoolMetrics(pool).bindTo(registry);
        assertEquals(2.0, registry.get("procpool.workers").tag("pool", "lifecycle").gauge().value());
        assertEquals(2L, SERVER.getAttribute(bean, "Workers"));
        assertTrue(pool.map(PID, List.of(1, 2, 3, 4), 1).stream().allMatch(members::contains),
                "tasks should run in the members");
        assertEquals(4.0, registry.get("procpool.tasks").tags("pool", "lifecycle", "state", "completed")
                .functionCounter().count());
        assertEquals(4L, SERVER.getAttribute(bean, "TasksCompleted"));
        assertEquals(pool.stats().bytesToWorkers(), (long) registry.get("procpool.bytes")
                .tags("direction", "out").functionCounter().count());

        // A member asked to stop (SIGTERM, as a service manager does) says so, and the other says it left.
        ProcessHandle second = ProcessHandle.of(members.get(1)).orElseThrow();
        second.destroy();
        second.onExit().get(30, TimeUnit.SECONDS);
        awaitLine(relayed, line -> line.startsWith("[lifecycle member ") && line.contains(" pid " + second.pid() + "] ")
                && line.contains("is stopping (SIGTERM"));
        awaitLine(relayed, line -> line.startsWith("[lifecycle member ") && line.contains(" pid " + members.get(0) + "] ")
                && line.contains(" left; 1 member(s) now"));

        pool.close();
        for (long pid : members) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "member " + pid + " outlived close()");
        }
        Set<Thread> left = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.isAlive()).collect(Collectors.toSet());
        for (Thread thread : left) {
            // Threads the JVM or the test framework started meanwhile are not the pool's: only the pool's names.
            if (thread.getName().contains("procpool") || thread.getName().startsWith("hz.")) {
                thread.join(Duration.ofSeconds(10).toMillis());
                assertFalse(thread.isAlive(), "the pool's thread " + thread.getName() + " outlived close()");
            }
        }
    }

    /** Waits, at most 30 s, for a relayed line that matches, failing with what was relayed. */
    private static void awaitLine(ByteArrayOutputStream relayed, java.util.function.Predicate<String> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (relayed.toString(StandardCharsets.UTF_8).lines().noneMatch(wanted)) {
            if (System.nanoTime() > deadline) {
                fail("no such line was relayed from the members: " + relayed.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
    }

    /** Writes to two streams: the test reads one, the build's log keeps the other. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public synchronized void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }

    @Test
    void shouldRefuseAnIncompleteOrContradictoryBuilder() {
        IllegalStateException neither = assertThrows(IllegalStateException.class,
                () -> ClusterPool.builder().build());
        assertTrue(neither.getMessage().contains("localMembers") && neither.getMessage().contains("addresses"),
                neither.getMessage());
        assertThrows(IllegalStateException.class,
                () -> ClusterPool.builder().localMembers(1).addresses("127.0.0.1:5701").build());
        assertThrows(IllegalStateException.class,
                () -> ClusterPool.builder().localMembers(1).taskTimeout(Duration.ofSeconds(1)).build(),
                "a time limit needs worker processes");
        IllegalArgumentException address = assertThrows(IllegalArgumentException.class,
                () -> ClusterPool.builder().addresses("10.0.0.5"));
        assertTrue(address.getMessage().contains("'10.0.0.5'"), address.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().addresses("10.0.0.5:70000"));
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().localMembers(0));
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().workersPerMember(0));
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().retries(-1));
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().clusterName(" "));
        assertThrows(NullPointerException.class, () -> ClusterPool.builder().serialization(null));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> ClusterPool.builder().name("type=Pool,name=x"));
        assertTrue(name.getMessage().contains("'type=Pool,name=x'"), name.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().name(null));
        assertThrows(IllegalArgumentException.class, () -> ClusterPool.builder().name(" "));
    }
}
