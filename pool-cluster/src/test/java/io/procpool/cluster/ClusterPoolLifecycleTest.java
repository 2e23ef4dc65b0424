package io.procpool.cluster;

import io.procpool.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a cluster pool leaves behind (nothing), its name on its threads, and the builder's checks. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterPoolLifecycleTest {
    private static final Task<Integer, Long> PID = x -> ProcessHandle.current().pid();

    @Test
    void shouldNameItsThreadsAfterItAndLeaveNoMemberJvmOrThreadAfterClose() throws InterruptedException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        ClusterPool pool = ClusterPool.builder().localMembers(2).workersPerMember(1).name("lifecycle").build();
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
        assertTrue(pool.map(PID, List.of(1, 2, 3, 4), 1).stream().allMatch(members::contains),
                "tasks should run in the members");
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
