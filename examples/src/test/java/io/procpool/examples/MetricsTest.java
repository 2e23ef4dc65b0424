package io.procpool.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code metrics} command's code, run in this JVM on real worker JVMs: the Prometheus scrape holds the pool's
 * meters under their exported names, tagged with the pool's name, with the figures of the run.
 */
class MetricsTest {
    private static final int ITEMS = 120;

    @Test
    @Timeout(120)
    void scrapeShouldHoldTheNamedPoolsMetersWithTheRunsFigures() throws Exception {
        String output = Metrics.run(ITEMS);
        List<String> lines = output.lines().toList();

        assertTrue(lines.contains("procpool_tasks_total{pool=\"demo\",state=\"completed\"} " + ITEMS + ".0"),
                output);
        assertTrue(lines.contains("procpool_tasks_total{pool=\"demo\",state=\"submitted\"} " + ITEMS + ".0"),
                output);
        assertTrue(lines.contains("procpool_tasks_total{pool=\"demo\",state=\"failed\"} 0.0"), output);
        assertTrue(lines.contains("procpool_workers{pool=\"demo\"} 2.0"), output);
        assertTrue(lines.contains("procpool_workers_started_total{pool=\"demo\"} 2.0"), output);
        assertTrue(lines.contains("# TYPE procpool_tasks_total counter"), output);
        assertTrue(lines.contains("# TYPE procpool_workers gauge"), output);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("procpool_bytes_total{direction=\"out\",pool=\"demo\"} ")
                && !l.endsWith(" 0.0")), "bytes went out: " + output);
        assertTrue(lines.contains("# JMX io.procpool:type=Pool,name=demo: TasksCompleted=" + ITEMS + ", Workers=2"),
                output);
        // Only procpool's lines: nothing else the registry holds.
        assertEquals(List.of(), lines.stream()
                .filter(l -> !l.isEmpty() && !l.contains("procpool_") && !l.startsWith("# JMX")).toList());
    }
}
