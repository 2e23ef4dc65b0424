package io.procpool.worker;

/**
 * Keeps Chronicle quiet: no banner, no announcements, no analytics. The properties must be set before Chronicle's
 * classes initialise, so both sides call {@link #apply()} before opening a queue, and the launcher also passes them
 * on the worker's command line.
 */
public final class Quiet {
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
        for (String[] property : PROPERTIES) {
            if (System.getProperty(property[0]) == null) {
                System.setProperty(property[0], property[1]);
            }
        }
    }

    /**
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
