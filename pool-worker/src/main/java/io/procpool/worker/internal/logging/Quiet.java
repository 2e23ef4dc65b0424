package io.procpool.worker.internal.logging;

/**
 * Keeps Chronicle quiet: no banner, no announcements, no analytics, and none of its performance or debug notes
 * ("took 3 ms to add mapping...") among the application's logs. The properties must be set before Chronicle's
 * classes initialise, so both sides call {@link #apply()} before opening a queue, and the launcher also passes them
 * on the worker's command line. Chronicle's loggers ({@code net.openhft}) are set to WARN under whichever SLF4J
 * provider is present, unless the application's logging configuration gives them a level of its own
 * (see {@link QuietLoggers}): its warnings and errors still reach SLF4J. Set the system property
 * {@value #CHRONICLE_NOTES} to {@code true} to keep its performance and debug notes and leave its log levels alone.
 */
public final class Quiet {
    /** The system property that keeps Chronicle's performance and debug notes. */
    public static final String CHRONICLE_NOTES = "procpool.chronicle.notes";

    private static volatile boolean applied;

    private static final String[][] PROPERTIES = {
            {"chronicle.analytics.disable", "true"},
            {"chronicle.announcer.disable", "true"},
            {"chronicle.disk.monitor.disable", "true"},
            {"jvm.resource.tracing", "false"},
            {"chronicle.queue.checkInterrupts", "false"},
            {"chronicle.disable.discard.warning", "true"},
    };

    private Quiet() {
    }

    /**
     * Sets the properties that the user has not set already.
     */
    public static void apply() {
        if (applied) {
            return;
        }
        synchronized (Quiet.class) {
            if (applied) {
                return;
            }
            for (String[] property : PROPERTIES) {
                if (System.getProperty(property[0]) == null) {
                    System.setProperty(property[0], property[1]);
                }
            }
            if (!Boolean.getBoolean(CHRONICLE_NOTES)) {
                // Before the first Chronicle class below: its core logs as it loads.
                QuietLoggers.warnOnly(QuietLoggers.CHRONICLE);
                net.openhft.chronicle.core.Jvm.disablePerfHandler();
                net.openhft.chronicle.core.Jvm.disableDebugHandler();
            }
            applied = true;
        }
    }

    /**
     * Sets Chronicle's loggers to WARN under the application's SLF4J provider, without loading Chronicle: for a
     * worker to do first, before its tasks (which may log, and so start the provider) run beside the thread that
     * opens its queues later. A provider configuring itself on one thread while another sets a level can lose the
     * level.
     */
    public static void loggers() {
        if (!Boolean.getBoolean(CHRONICLE_NOTES)) {
            QuietLoggers.warnOnly(QuietLoggers.CHRONICLE);
        }
    }

    /**
     * Returns the properties that keep Chronicle quiet, for a worker to start with.
     *
     * @return the properties as {@code -Dname=value} options for a worker's command line
     */
    public static java.util.List<String> asJvmOptions() {
        java.util.List<String> options = new java.util.ArrayList<>();
        for (String[] property : PROPERTIES) {
            options.add("-D" + property[0] + "=" + property[1]);
        }
        return options;
    }
}
