package io.procpool.cluster;

import io.procpool.Pool;
import io.procpool.PoolException;
import io.procpool.SerializationException;
import io.procpool.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool that joins members started by hand, as on other machines, and the errors a user gets, in bounded time,
 * when the cluster is not what the pool expects: nobody at the address, another cluster name, a member of another
 * procpool version, a member without the task's class; and a pool's class allow-list, which a joined member does not
 * take on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterJoinTest {
    private static final Task<Integer, Integer> SQUARE = x -> x * x;
    private static final Task<Integer, Long> PID = x -> ProcessHandle.current().pid();
    private static final Duration SHORT = Duration.ofSeconds(3);
    /** How long a bad start may take to fail: the connect timeout, with room for a busy machine. */
    private static final Duration BOUNDED = Duration.ofSeconds(30);

    private final String name = "join-test-" + ProcessHandle.current().pid();
    private HandStartedMember member;
    private HandStartedMember bare;
    /** A second member in {@link #bare}'s cluster, so that a pool joining it sees two. */
    private HandStartedMember bareSecond;
    private HandStartedMember otherVersion;

    record Unlisted(int value) {
    }

    @BeforeAll
    void startMembers() throws Exception {
        member = HandStartedMember.start(ClusterMember.class.getName(), true,
                "--cluster-name", name, "--port", "{port}", "--host", "127.0.0.1", "--workers", "2");
        bare = HandStartedMember.start(ClusterMember.class.getName(), false,
                "--cluster-name", name + "-bare", "--port", "{port}", "--host", "127.0.0.1", "--workers", "1");
        otherVersion = HandStartedMember.start(OtherVersionMember.class.getName(), true, name + "-other", "{port}");
        bare.awaitReady();
        // Started once the first is up, so that it joins that cluster rather than forming one of its own.
        bareSecond = HandStartedMember.start(ClusterMember.class.getName(), false,
                "--cluster-name", name + "-bare", "--port", "{port}", "--host", "127.0.0.1", "--workers", "1",
                "--members", bare.address());
        member.awaitReady();
        otherVersion.awaitReady();
        bareSecond.awaitReady();
    }

    @AfterAll
    void stopMembers() throws Exception {
        for (HandStartedMember started : new HandStartedMember[] {member, bare, bareSecond, otherVersion}) {
            if (started != null) {
                started.close();
            }
        }
    }

    @Test
    void shouldRunOnAMemberStartedByHandAndLeaveItRunningOnClose() {
        List<Integer> items = IntStream.range(0, 50).boxed().collect(Collectors.toList());
        for (int round = 0; round < 2; round++) {
            try (Pool pool = ClusterPool.builder().clusterName(name).addresses(member.address()).build()) {
                assertEquals(2, pool.size(), "the member runs 2 workers");
                assertEquals(items.stream().map(x -> x * x).collect(Collectors.toList()), pool.map(SQUARE, items));
                assertEquals(member.pid(), pool.apply(PID, 0).longValue(), "tasks run in the member's JVM");
            }
            assertTrue(member.isAlive(), "closing a pool must not stop a member it joined");
        }
    }

    /**
     * {@code build()} returned once the first of the members it saw was in use, before the others were counted:
     * {@code size()} 1 of 2 in 5 of 10 joins on a 2-core machine. Read at once, with no wait, in three joins.
     */
    @Test
    void shouldCountEveryMemberItSeesWhenBuildReturns() {
        assertTrue(bareSecond.readyLine().contains(" of 2 member(s)"),
                "the second member should have joined the first: " + bareSecond.readyLine());
        for (int round = 0; round < 3; round++) {
            try (ClusterPool pool = ClusterPool.builder().clusterName(name + "-bare").addresses(bare.address())
                    .build()) {
                int size = pool.size();
                long started = pool.stats().workersStarted();
                List<Long> inUse = pool.memberPids();
                assertEquals(List.of(2, 2L, Set.of(bare.pid(), bareSecond.pid())),
                        List.of(size, started, Set.copyOf(inUse)),
                        "round " + round + ": size(), workersStarted and the members in use as build() returned");
            }
        }
    }

    @Test
    void shouldFailClearlyWhenNoMemberAnswersAtTheAddress() {
        String nobody = "127.0.0.1:" + HandStartedMember.freePort();
        PoolException failure = assertTimeoutPreemptively(BOUNDED, () -> assertThrows(PoolException.class,
                () -> ClusterPool.builder().clusterName(name).addresses(nobody).connectTimeout(SHORT).build()));
        assertTrue(failure.getMessage().contains(nobody), failure.getMessage());
    }

    @Test
    void shouldFailClearlyOnAWrongClusterName() {
        PoolException failure = assertTimeoutPreemptively(BOUNDED, () -> assertThrows(PoolException.class,
                () -> ClusterPool.builder().clusterName("not-" + name).addresses(member.address())
                        .connectTimeout(SHORT).build()));
        assertTrue(failure.getMessage().contains("'not-" + name + "'") && failure.getMessage().contains(
                "--cluster-name"), failure.getMessage());
    }

    @Test
    void shouldRefuseAMemberOfAnotherProcpoolVersion() {
        PoolException failure = assertTimeoutPreemptively(BOUNDED, () -> assertThrows(PoolException.class,
                () -> ClusterPool.builder().clusterName(name + "-other").addresses(otherVersion.address())
                        .connectTimeout(SHORT).build()));
        assertTrue(failure.getMessage().contains("runs procpool " + OtherVersionMember.VERSION)
                && failure.getMessage().contains(HazelcastSetup.VERSION), failure.getMessage());
    }

    @Test
    void shouldNameTheClassAMemberDoesNotHave() {
        try (Pool pool = ClusterPool.builder().clusterName(name + "-bare").addresses(bare.address()).build()) {
            SerializationException failure = assertThrows(SerializationException.class,
                    () -> pool.map(SQUARE, List.of(1, 2, 3)));
            assertTrue(failure.getMessage().contains(ClusterJoinTest.class.getName()), failure.getMessage());
        }
        assertTrue(bare.isAlive(), "a task the member cannot load must not harm it");
    }

    /** The member keeps its own configuration (no allow-list here); the pool reads its answers through the pool's. */
    @Test
    void shouldReadAJoinedMembersAnswersThroughThePoolsAllowList() {
        try (Pool pool = ClusterPool.builder().clusterName(name).addresses(member.address())
                .allowClasses(ClusterJoinTest.class.getName()).build()) {
            assertEquals(3, pool.apply((Unlisted u) -> u.value(), new Unlisted(3)),
                    "the member reads what its own configuration allows, any class");
            SerializationException result = assertThrows(SerializationException.class,
                    () -> pool.apply((Integer i) -> new Unlisted(i), 1));
            System.out.println("a result outside the pool's allow-list: " + result.getMessage());
            assertTrue(result.getMessage().contains(Unlisted.class.getName()), result.getMessage());
            assertEquals(List.of(1, 4, 9), pool.map(SQUARE, List.of(1, 2, 3)), "the pool should stay usable");
        }
    }
}
