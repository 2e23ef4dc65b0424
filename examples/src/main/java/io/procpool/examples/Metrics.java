package io.procpool.examples;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.procpool.Pool;
import io.procpool.launcher.ProcessPool;
import io.procpool.metrics.PoolMetrics;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An operator's view of a pool: a named pool with its JMX bean runs a short map, bound to a Prometheus registry
 * through {@link PoolMetrics}, and the program prints the pool's lines of the scrape, as a Prometheus server would
 * read them from a service's {@code /metrics} endpoint, then one figure read from the JMX bean.
 *
 * <p>Usage: {@code metrics}. It takes no option: the run is small (a few hundred tasks of a few milliseconds on two
 * workers) so that it ends in a few seconds.
 */
public final class Metrics {
    /** The pool's name: the {@code pool} tag of its meters and the {@code name} of its JMX bean. */
    static final String POOL_NAME = "demo";
    static final int WORKERS = 2;
    static final int ITEMS = 300;
    /** Iterations of {@link Demo#cpuWork} per task: about a millisecond of work each. */
    private static final int WORK_PER_ITEM = 1_000_000;

    private Metrics() {
    }

    /**
     * Runs the pool and prints its scrape.
     *
     * @param args none
     * @throws JMException if the pool's JMX bean cannot be read
     */
    public static void main(String[] args) throws JMException {
        if (args.length > 0) {
            System.err.println("usage: java -jar procpool-examples.jar metrics (it takes no argument)");
            System.exit(2);
        }
        System.out.print(run(ITEMS));
    }

    /**
     * Runs {@code items} CPU tasks on a named {@code ProcessPool(2)} with {@code jmx(true)} and returns the pool's
     * lines of the Prometheus scrape taken after the map, while the pool still runs, and one line read from its JMX
     * bean.
     */
    static String run(int items) throws JMException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Pool pool = ProcessPool.builder().name(POOL_NAME).processes(WORKERS).jmx(true).build()) {
            new PoolMetrics(pool).bindTo(registry);
            List<Integer> inputs = IntStream.range(0, items).map(i -> WORK_PER_ITEM + i).boxed().toList();
            pool.map(Demo::cpuWork, inputs);
            String scrape = poolLines(registry.scrape());
            ObjectName bean = new ObjectName("io.procpool:type=Pool,name=" + POOL_NAME);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            return scrape + "\n# JMX " + bean + ": TasksCompleted=" + server.getAttribute(bean, "TasksCompleted")
                    + ", Workers=" + server.getAttribute(bean, "Workers") + "\n";
        } finally {
            registry.close();
        }
    }

    /** The scrape's lines about procpool's meters, with their {@code # HELP} and {@code # TYPE} lines. */
    static String poolLines(String scrape) {
        return scrape.lines()
                .filter(line -> line.startsWith("procpool_") || line.startsWith("# HELP procpool_")
                        || line.startsWith("# TYPE procpool_"))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
