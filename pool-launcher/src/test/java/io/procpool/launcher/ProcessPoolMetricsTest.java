package io.procpool.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.procpool.PoolStats;
import io.procpool.WorkerCrashedException;
import io.procpool.metrics.PoolMetrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A process pool's meters, JMX bean and log lines, on real worker JVMs. */
class ProcessPoolMetricsTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static double counter(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void shouldReadTheSameFiguresThroughMetersAndJmxAndLogACrashOnce() throws Exception {
        ObjectName bean = new ObjectName("io.procpool:type=Pool,name=metered");
        MeterRegistry registry = new SimpleMeterRegistry();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        try (ProcessPool pool = ProcessPool.builder().processes(2).name("metered").jmx(true).build()) {
            new PoolMetrics(pool).bindTo(registry);
            assertEquals(2.0, registry.get("procpool.workers").tag("pool", "metered").gauge().value());
            assertEquals(2L, SERVER.getAttribute(bean, "Workers"));
            IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                    () -> ProcessPool.builder().processes(1).name("metered").jmx(true).build());
            assertTrue(clash.getMessage().contains("'metered'"), clash.getMessage());

            List<Integer> items = IntStream.range(0, 100).boxed().collect(Collectors.toList());
            pool.map((Integer i) -> "item " + i, items);
            PoolStats stats = pool.stats();
            assertEquals(100.0, counter(registry, "procpool.tasks", "state", "completed"));
            assertEquals(stats.tasksSubmitted(), (long) counter(registry, "procpool.tasks", "state", "submitted"));
            assertEquals(0.0, counter(registry, "procpool.tasks", "state", "failed"));
            assertEquals(2.0, counter(registry, "procpool.workers.started"));
            assertTrue(counter(registry, "procpool.bytes", "direction", "out") > 0);
            assertTrue(counter(registry, "procpool.bytes", "direction", "in") > 0);
            assertEquals(stats.bytesFromWorkers(), (long) counter(registry, "procpool.bytes", "direction", "in"));
            assertTrue(counter(registry, "procpool.time", "phase", "serialize") > 0);
            assertEquals(100L, SERVER.getAttribute(bean, "TasksCompleted"));

            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            WorkerCrashedException crash;
            try {
                crash = assertThrows(WorkerCrashedException.class, () -> pool.apply((Integer i) -> {
                    Runtime.getRuntime().halt(3);
                    return i;
                }, 0));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (counter(registry, "procpool.workers.started") < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                System.setErr(realErr);
            }
            List<String> warnings = err.toString(StandardCharsets.UTF_8).lines()
                    .filter(line -> line.contains("WARN io.procpool.launcher")).collect(Collectors.toList());
            assertEquals(1, warnings.size(), err.toString(StandardCharsets.UTF_8));
            assertTrue(warnings.get(0).contains("pool metered")
                    && warnings.get(0).contains("(pid " + crash.pid() + ")"), warnings.get(0) + " / " + crash);
            assertEquals(1.0, counter(registry, "procpool.workers.lost"));
            assertEquals(2.0, registry.get("procpool.workers").tag("pool", "metered").gauge().value(),
                    "the lost worker was replaced");
        }
        assertFalse(SERVER.isRegistered(bean), "the bean should go when the pool closes");
        assertEquals(0.0, registry.get("procpool.workers").tag("pool", "metered").gauge().value());
    }
}
