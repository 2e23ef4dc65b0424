package io.procpool.internal;

import io.procpool.PoolStats;
import io.procpool.metrics.PoolMXBean;

import java.lang.management.ManagementFactory;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A pool's figures as {@link PoolMXBean}, for its metrics and its JMX bean alike, so that both say the same by
 * construction; and the bean's registration in the platform MBean server, for the pools built with {@code jmx(true)}.
 * Nothing here runs on a pool's work: a figure is read from {@link PoolStats} when someone asks for it.
 */
public final class PoolBeans {
    private static final double NANOS_PER_SECOND = 1e9;

    private PoolBeans() {
    }

    /**
     * Returns the figures of a pool, read from its stats at each call.
     *
     * @param name  the pool's name
     * @param stats the pool's stats, read at every figure's read
     * @return the figures
     */
    public static PoolMXBean view(String name, Supplier<PoolStats> stats) {
        return new View(Objects.requireNonNull(name, "name"), Objects.requireNonNull(stats, "stats"));
    }

    /**
     * Registers a pool's bean as {@code io.procpool:type=Pool,name=<name>}.
     *
     * @param name  the pool's name, checked by {@link PoolNames#check} or made up
     * @param stats the pool's stats
     * @return the registration, to {@link Registration#close() close} when the pool closes or is terminated
     * @throws IllegalArgumentException if a bean of that name is registered already: another pool of this JVM
     *                                  with the same name and {@code jmx(true)}; the message names the name
     */
    public static Registration register(String name, Supplier<PoolStats> stats) {
        ObjectName objectName = objectName(name);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.registerMBean(view(name, stats), objectName);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalArgumentException("another pool named '" + name + "' has its JMX bean registered ("
                    + objectName + "): give pools with jmx(true) different names", e);
        } catch (JMException e) {
            throw new IllegalStateException("could not register the JMX bean " + objectName + ": " + e, e);
        }
        return new Registration(server, objectName);
    }

    /**
     * Checks, before a pool starts anything, that no bean holds its name yet; {@link #register} checks again.
     *
     * @param name the pool's name
     * @throws IllegalArgumentException if a bean of that name is registered, naming the name
     */
    public static void checkFree(String name) {
        ObjectName objectName = objectName(name);
        if (ManagementFactory.getPlatformMBeanServer().isRegistered(objectName)) {
            throw new IllegalArgumentException("another pool named '" + name + "' has its JMX bean registered ("
                    + objectName + "): give pools with jmx(true) different names");
        }
    }

    /**
     * Returns the object name of a pool's bean.
     *
     * @param name the pool's name
     * @return {@code io.procpool:type=Pool,name=<name>}
     */
    public static ObjectName objectName(String name) {
        try {
            return new ObjectName("io.procpool:type=Pool,name=" + name);
        } catch (javax.management.MalformedObjectNameException e) {
            // PoolNames.check refuses every character that could make it so.
            throw new IllegalArgumentException("a pool's name cannot name a JMX bean: '" + name + "'", e);
        }
    }

    /** A registered bean; closing it unregisters the bean, once, from any thread. */
    public static final class Registration implements AutoCloseable {
        private final MBeanServer server;
        private final ObjectName name;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Registration(MBeanServer server, ObjectName name) {
            this.server = server;
            this.name = name;
        }

        /** Unregisters the bean; does nothing the second time. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    server.unregisterMBean(name);
                } catch (InstanceNotFoundException e) {
                    // Someone unregistered it through the server: it is gone, as wanted.
                } catch (JMException e) {
                    throw new IllegalStateException("could not unregister the JMX bean " + name + ": " + e, e);
                }
            }
        }
    }

    /** The figures, each read from a new snapshot: a reader asks for a few now and then, never per task. */
    private static final class View implements PoolMXBean {
        private final String name;
        private final Supplier<PoolStats> stats;

        View(String name, Supplier<PoolStats> stats) {
            this.name = name;
            this.stats = stats;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public long getTasksSubmitted() {
            return stats.get().tasksSubmitted();
        }

        @Override
        public long getTasksCompleted() {
            return stats.get().tasksCompleted();
        }

        @Override
        public long getTasksFailed() {
            return stats.get().tasksFailed();
        }

        @Override
        public long getWorkers() {
            return stats.get().liveWorkers();
        }

        @Override
        public long getWorkersStarted() {
            return stats.get().workersStarted();
        }

        @Override
        public long getWorkersLost() {
            return stats.get().workersLost();
        }

        @Override
        public long getBytesOut() {
            return stats.get().bytesToWorkers();
        }

        @Override
        public long getBytesIn() {
            return stats.get().bytesFromWorkers();
        }

        @Override
        public double getSerializeSeconds() {
            PoolStats now = stats.get();
            return (now.parentSerializeNanos() + now.workerSerializeNanos()) / NANOS_PER_SECOND;
        }

        @Override
        public double getDeserializeSeconds() {
            PoolStats now = stats.get();
            return (now.parentDeserializeNanos() + now.workerDeserializeNanos()) / NANOS_PER_SECOND;
        }

        @Override
        public double getExecuteSeconds() {
            return stats.get().workerExecuteNanos() / NANOS_PER_SECOND;
        }

        @Override
        public double getTransportSeconds() {
            return stats.get().queueAndTransportNanos() / NANOS_PER_SECOND;
        }
    }
}
