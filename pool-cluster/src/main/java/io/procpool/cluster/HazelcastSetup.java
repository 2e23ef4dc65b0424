package io.procpool.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.procpool.worker.internal.logging.QuietLoggers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Hazelcast set up for a pool, in one place for members and the pool's client: no phone-home, logging through SLF4J
 * with Hazelcast's loggers at WARN unless the application configures them, TCP-IP join only (no multicast, no cloud
 * auto-detection), and a lost member noticed within seconds rather than Hazelcast's default minute. Members hold no
 * data: the only service in use is the executor that runs chunks.
 */
final class HazelcastSetup {
    /** The executor that runs chunks on members. */
    static final String EXECUTOR = "procpool-chunks";
    /** Member attribute: the procpool version the member runs. */
    static final String VERSION_ATTRIBUTE = "procpool.version";
    /** Member attribute: how many workers the member runs chunks on. */
    static final String WORKERS_ATTRIBUTE = "procpool.workers";
    /** Member attribute: the member's process id. */
    static final String PID_ATTRIBUTE = "procpool.pid";
    /** Member attribute: {@code threads} or {@code processes}, where the member runs tasks. */
    static final String ISOLATION_ATTRIBUTE = "procpool.isolation";
    /** The procpool version of this JVM, from the build. */
    static final String VERSION = readVersion();

    /** A member is declared lost after this long without a heartbeat; Hazelcast's default is 60 s. */
    private static final int MEMBER_HEARTBEAT_TIMEOUT_SECONDS = 5;
    private static final int CLIENT_HEARTBEAT_TIMEOUT_MS = 5_000;

    private static final Map<String, String> COMMON_PROPERTIES = Map.of(
            "hazelcast.phone.home.enabled", "false",
            "hazelcast.logging.type", "slf4j",
            // Its periodic INFO report of memory and CPU, and JMX beans: neither is wanted in a library's JVMs.
            "hazelcast.health.monitoring.level", "OFF",
            "hazelcast.jmx", "false",
            "hazelcast.shutdownhook.enabled", "false");

    private HazelcastSetup() {
    }

    /** Sets Hazelcast's loggers to WARN, unless the application configures them: before Hazelcast starts. */
    static void quietLogging() {
        QuietLoggers.warnOnly("com.hazelcast");
    }

    /**
     * Makes a member's configuration.
     *
     * @param options the member's command line
     * @return the configuration
     */
    static Config member(MemberOptions options) {
        Config config = new Config();
        config.setClusterName(options.clusterName());
        config.setInstanceName("procpool-member-" + options.port());
        COMMON_PROPERTIES.forEach(config::setProperty);
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MEMBER_HEARTBEAT_TIMEOUT_SECONDS));
        config.setProperty("hazelcast.client.max.no.heartbeat.seconds",
                Integer.toString(MEMBER_HEARTBEAT_TIMEOUT_SECONDS));
        // Members hold no data: a few partitions make forming the cluster quick, and nobody waits to join.
        config.setProperty("hazelcast.partition.count", "7");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(options.port()).setPortAutoIncrement(false);
        if (options.host() != null) {
            network.getInterfaces().setEnabled(true).addInterface(options.host());
            config.setProperty("hazelcast.socket.bind.any", "false");
            network.setPublicAddress(options.host() + ":" + options.port());
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(options.members());
        if (LocalMembers.LOOPBACK.equals(options.host())) {
            // Members that start together each wait this long for a master to answer before they agree on one:
            // Hazelcast's 5 s is for real networks, and would be most of a local pool's start-up.
            join.getTcpIpConfig().setConnectionTimeoutSeconds(1);
            // Should two start as clusters of their own all the same, they merge within seconds, not minutes.
            config.setProperty("hazelcast.merge.first.run.delay.seconds", "2");
            config.setProperty("hazelcast.merge.next.run.delay.seconds", "2");
        }

        config.addExecutorConfig(new ExecutorConfig(EXECUTOR)
                .setPoolSize(options.workers())
                .setQueueCapacity(0)
                .setStatisticsEnabled(false));
        config.getMemberAttributeConfig()
                .setAttribute(VERSION_ATTRIBUTE, VERSION)
                .setAttribute(WORKERS_ATTRIBUTE, Integer.toString(options.workers()))
                .setAttribute(PID_ATTRIBUTE, Long.toString(ProcessHandle.current().pid()))
                .setAttribute(ISOLATION_ATTRIBUTE, options.workerProcesses() ? "processes" : "threads");
        config.getSerializationConfig().addDataSerializableFactory(ChunkTask.FACTORY_ID, new ChunkTask.Factory());
        return config;
    }

    /**
     * Makes the pool's client configuration.
     *
     * @param clusterName    the cluster's name
     * @param addresses      members to connect through, {@code host:port}
     * @param connectTimeout how long to try before giving up
     * @return the configuration
     */
    static ClientConfig client(String clusterName, List<String> addresses, Duration connectTimeout) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        COMMON_PROPERTIES.forEach(config::setProperty);
        config.setProperty("hazelcast.client.heartbeat.interval", "1000");
        config.setProperty("hazelcast.client.heartbeat.timeout", Integer.toString(CLIENT_HEARTBEAT_TIMEOUT_MS));
        config.setProperty("hazelcast.client.statistics.enabled", "false");
        config.getNetworkConfig()
                .setAddresses(addresses)
                .setSmartRouting(true)
                // A chunk is not sent again by Hazelcast: the pool decides, under retries(n), and says so.
                .setRedoOperation(false)
                .setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        config.getNetworkConfig().getAutoDetectionConfig().setEnabled(false);
        config.getConnectionStrategyConfig().getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(connectTimeout.toMillis())
                .setInitialBackoffMillis(100)
                .setMaxBackoffMillis(1_000);
        config.getSerializationConfig().addDataSerializableFactory(ChunkTask.FACTORY_ID, new ChunkTask.Factory());
        return config;
    }

    private static String readVersion() {
        try (InputStream in = HazelcastSetup.class.getResourceAsStream("/META-INF/procpool/cluster.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
