package io.procpool.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.procpool.Pool;
import io.procpool.internal.PoolBeans;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A pool's figures as Micrometer meters, each tagged {@code pool=<name>} with the pool's {@linkplain Pool#name()
 * name}:
 * <table>
 * <caption>The meters</caption>
 * <tr><th>Meter</th><th>Kind</th><th>Tags</th><th>What it counts</th></tr>
 * <tr><td>{@code procpool.tasks}</td><td>function counter</td><td>{@code state}: {@code submitted},
 * {@code completed}, {@code failed}</td><td>items handed to workers, whose outcome came back, that failed</td></tr>
 * <tr><td>{@code procpool.workers}</td><td>gauge</td><td></td><td>workers alive now</td></tr>
 * <tr><td>{@code procpool.workers.started}</td><td>function counter</td><td></td><td>workers started, replacements
 * included</td></tr>
 * <tr><td>{@code procpool.workers.lost}</td><td>function counter</td><td></td><td>workers that died or were
 * killed</td></tr>
 * <tr><td>{@code procpool.bytes}</td><td>function counter</td><td>{@code direction}: {@code out}, {@code in}</td>
 * <td>serialised bytes sent to and received from workers</td></tr>
 * <tr><td>{@code procpool.time}</td><td>function counter, seconds</td><td>{@code phase}: {@code serialize},
 * {@code deserialize}, {@code execute}, {@code transport}</td><td>time summed over tasks</td></tr>
 * </table>
 *
 * <pre>{@code
 * new PoolMetrics(pool).bindTo(meterRegistry);
 * }</pre>
 *
 * <p>The meters read {@link Pool#stats()} when the registry reads them: nothing is counted for them on the pool's
 * work. A {@code ThreadPool}'s workers are its threads, and its bytes and serialisation times stay zero. The
 * figures are those of the pool's JMX bean ({@link PoolMXBean}). Micrometer is an optional dependency of procpool:
 * this class is the only one that uses it, and a program that never loads it needs no Micrometer.
 */
public final class PoolMetrics implements MeterBinder {
    private final Pool pool;

    /**
     * Prepares the meters of a pool; nothing is registered until {@link #bindTo}.
     *
     * @param pool the pool
     * @throws NullPointerException if {@code pool} is {@code null}
     */
    public PoolMetrics(Pool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /**
     * Registers the pool's meters. They hold the pool, and read its final figures once it has closed, until they
     * are removed from the registry.
     *
     * @param registry the registry to register them with
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        PoolMXBean figures = PoolBeans.view(pool.name(), pool::stats);
        // One description per meter name: Prometheus keeps one HELP line for all of a name's series.
        String tasks = "items by state: submitted to the pool, completed (an outcome came back), failed";
        String bytes = "serialised bytes crossing to workers (out) and back from them (in)";
        counter(registry, "procpool.tasks", "state", "submitted", tasks, null,
                figures, PoolMXBean::getTasksSubmitted);
        counter(registry, "procpool.tasks", "state", "completed", tasks, null,
                figures, PoolMXBean::getTasksCompleted);
        counter(registry, "procpool.tasks", "state", "failed", tasks, null,
                figures, PoolMXBean::getTasksFailed);
        Gauge.builder("procpool.workers", figures, PoolMXBean::getWorkers)
                .description("workers alive now").tag("pool", figures.getName())
                .strongReference(true).register(registry);
        counter(registry, "procpool.workers.started", null, null, "workers started, replacements included", null,
                figures, PoolMXBean::getWorkersStarted);
        counter(registry, "procpool.workers.lost", null, null, "workers that died or were killed", null,
                figures, PoolMXBean::getWorkersLost);
        counter(registry, "procpool.bytes", "direction", "out", bytes, "bytes",
                figures, PoolMXBean::getBytesOut);
        counter(registry, "procpool.bytes", "direction", "in", bytes, "bytes",
                figures, PoolMXBean::getBytesIn);
        String time = "time summed over chunks, by phase: serialize and deserialize (parent and workers), execute, "
                + "transport (queues and hand-offs)";
        counter(registry, "procpool.time", "phase", "serialize", time, "seconds",
                figures, PoolMXBean::getSerializeSeconds);
        counter(registry, "procpool.time", "phase", "deserialize", time, "seconds",
                figures, PoolMXBean::getDeserializeSeconds);
        counter(registry, "procpool.time", "phase", "execute", time, "seconds",
                figures, PoolMXBean::getExecuteSeconds);
        counter(registry, "procpool.time", "phase", "transport", time, "seconds",
                figures, PoolMXBean::getTransportSeconds);
    }

    /**
     * One function counter. Micrometer holds a function counter's object weakly; the function here holds the figures
     * strongly, so that nothing but the pool's own references keeps the meter readable: a pool's meters outlive its
     * use, as a closed pool's figures are final.
     */
    private static void counter(MeterRegistry registry, String name, String tag, String tagValue, String description,
                                String unit, PoolMXBean figures, ToDoubleFunction<PoolMXBean> figure) {
        FunctionCounter.Builder<PoolMXBean> builder = FunctionCounter.builder(name, figures,
                        held -> figure.applyAsDouble(figures))
                .description(description).tag("pool", figures.getName());
        if (tag != null) {
            builder.tag(tag, tagValue);
        }
        if (unit != null) {
            builder.baseUnit(unit);
        }
        builder.register(registry);
    }
}
