package io.procpool.metrics;

/**
 * A pool's figures as a JMX MXBean, registered as {@code io.procpool:type=Pool,name=<name>} in the platform MBean
 * server by a pool built with {@code jmx(true)} ({@code ProcessPool.builder()}, {@code ThreadPool.builder()},
 * {@code ClusterPool.builder()}), and unregistered when the pool closes or is terminated. The figures are those of
 * {@link io.procpool.Pool#stats()}, read at each attribute's read, and the same as {@link PoolMetrics}' meters:
 * counts since the pool was built, times in seconds summed over tasks.
 */
public interface PoolMXBean {
    /** {@return the pool's name, as in its object name and its meters' {@code pool} tag} */
    String getName();

    /** {@return items handed to workers (a retried item counts again): {@code procpool.tasks{state=submitted}}} */
    long getTasksSubmitted();

    /** {@return items whose outcome came back, success or failure: {@code procpool.tasks{state=completed}}} */
    long getTasksCompleted();

    /** {@return items that ended in a failure: {@code procpool.tasks{state=failed}}} */
    long getTasksFailed();

    /** {@return the workers alive now (worker JVMs, members' workers, or threads): {@code procpool.workers}} */
    long getWorkers();

    /** {@return workers started, replacements included: {@code procpool.workers.started}} */
    long getWorkersStarted();

    /** {@return workers that died or were killed while the pool ran: {@code procpool.workers.lost}} */
    long getWorkersLost();

    /** {@return serialised bytes sent to workers: {@code procpool.bytes{direction=out}}} */
    long getBytesOut();

    /** {@return serialised bytes received from workers: {@code procpool.bytes{direction=in}}} */
    long getBytesIn();

    /** {@return seconds spent serialising, in this JVM and in the workers: {@code procpool.time{phase=serialize}}} */
    double getSerializeSeconds();

    /** {@return seconds spent deserialising, here and in the workers: {@code procpool.time{phase=deserialize}}} */
    double getDeserializeSeconds();

    /** {@return seconds spent running tasks: {@code procpool.time{phase=execute}}} */
    double getExecuteSeconds();

    /** {@return seconds chunks spent in queues and in transport: {@code procpool.time{phase=transport}}} */
    double getTransportSeconds();
}
