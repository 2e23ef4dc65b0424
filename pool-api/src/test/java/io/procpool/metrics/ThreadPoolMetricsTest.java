package io.procpool.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.procpool.PoolException;
import io.procpool.PoolStats;
import io.procpool.ThreadPool;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread pool's meters and JMX bean: its workers are its threads, its bytes stay zero, and the bean goes when the
 * pool closes, is terminated, or fails to start.
 */
class ThreadPoolMetricsTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static double counter(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void shouldShowThreadsAsWorkersDuringAndAfterARunAndDropTheBeanOnClose() throws Exception {
        ObjectName bean = new ObjectName("io.procpool:type=Pool,name=threads-metered");
        MeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = ThreadPool.builder().threads(2).name("threads-metered").jmx(true).build()) {
            new PoolMetrics(pool).bindTo(registry);
            assertEquals(2.0, registry.get("procpool.workers").tag("pool", "threads-metered").gauge().value());
            CompletableFuture<List<Integer>> blocked = pool.mapAsync((Integer i) -> {
                release.await(30, TimeUnit.SECONDS);
                return i;
            }, List.of(1, 2), 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counter(registry, "procpool.tasks", "state", "submitted") < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(2.0, counter(registry, "procpool.tasks", "state", "submitted"), "during the run");
            assertEquals(0.0, counter(registry, "procpool.tasks", "state", "completed"), "during the run");
            assertEquals(2L, SERVER.getAttribute(bean, "Workers"), "during the run");
            release.countDown();
            blocked.get(30, TimeUnit.SECONDS);
            List<Integer> items = IntStream.range(0, 100).boxed().collect(Collectors.toList());
            pool.map((Integer i) -> i * 2, items);

            PoolStats stats = pool.stats();
            assertEquals(102.0, counter(registry, "procpool.tasks", "state", "completed"));
            assertEquals(stats.tasksSubmitted(), (long) counter(registry, "procpool.tasks", "state", "submitted"));
            assertEquals(0.0, counter(registry, "procpool.tasks", "state", "failed"));
            assertEquals(2.0, counter(registry, "procpool.workers.started"));
            assertEquals(0.0, counter(registry, "procpool.workers.lost"));
            assertEquals(0.0, counter(registry, "procpool.bytes", "direction", "out"), "nothing is serialised");
            assertEquals(0.0, counter(registry, "procpool.time", "phase", "serialize"));
            assertTrue(counter(registry, "procpool.time", "phase", "execute") > 0);
            assertEquals(102L, SERVER.getAttribute(bean, "TasksCompleted"));
            assertEquals("threads-metered", SERVER.getAttribute(bean, "Name"));
        }
        assertFalse(SERVER.isRegistered(bean), "the bean should go when the pool closes");
        assertEquals(0.0, registry.get("procpool.workers").tag("pool", "threads-metered").gauge().value(),
                "no thread is left once the pool has closed");
        assertEquals(102.0, counter(registry, "procpool.tasks", "state", "completed"), "the final figures stay");
    }

    @Test
    void shouldRefuseASecondPoolWithTheSameNameAndJmx() {
        try (ThreadPool first = ThreadPool.builder().threads(1).name("twin").jmx(true).build()) {
            IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                    () -> ThreadPool.builder().threads(1).name("twin").jmx(true).build());
            assertTrue(clash.getMessage().contains("'twin'"), clash.getMessage());
            assertEquals(1, first.apply((Integer i) -> i, 1), "the first pool carries on");
            try (ThreadPool quiet = ThreadPool.builder().threads(1).name("twin").build()) {
                assertEquals(1, quiet.apply((Integer i) -> i, 1), "without jmx a name may repeat");
            }
        }
    }

    @Test
    void shouldDropTheBeanOnTerminateAndOnAFailedStart() throws Exception {
        ObjectName bean = new ObjectName("io.procpool:type=Pool,name=short-lived");
        ThreadPool pool = ThreadPool.builder().threads(1).name("short-lived").jmx(true).build();
        assertTrue(SERVER.isRegistered(bean));
        pool.terminate();
        assertFalse(SERVER.isRegistered(bean), "terminate() should unregister the bean");
        pool.join();

        assertThrows(PoolException.class, () -> ThreadPool.builder().threads(1).name("short-lived").jmx(true)
                .initializer(() -> {
                    throw new IllegalStateException("no model");
                }).build());
        assertFalse(SERVER.isRegistered(bean), "a pool that failed to start should leave no bean");
    }
}
