package io.procpool.launcher;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a worker JVM takes from its parent beyond the classpath. A worker is a fresh {@code java} process: it
 * inherits the parent's environment variables and working directory (Commons Exec passes them on), but not its
 * JVM options. Of those, it gets the system properties the parent was started with ({@code -Dapp.mode=prod}), so
 * that {@code System.getProperty} in a task sees what it would see on a thread; not the heap size, the garbage
 * collector or agents, which {@code ProcessPool.Builder.jvmOptions} sets per pool. Properties set at run time with
 * {@code System.setProperty} stay in the parent.
 */
final class InheritedOptions {
    /** Together the workers may take this share of the machine's memory by default: the parent keeps its own. */
    private static final double WORKERS_RAM_PERCENT = 50;
    /** No worker gets more than a JVM's own default (a quarter of the memory) unless the user asks. */
    private static final double MAX_WORKER_RAM_PERCENT = 25;

    private InheritedOptions() {
    }

    /**
     * Checks one option a user gives the workers.
     *
     * @return the option
     * @throws NullPointerException     if it is {@code null}
     * @throws IllegalArgumentException if it is blank, or holds several options in one string
     */
    static String checkOption(String option) {
        Objects.requireNonNull(option, "a JVM option is null");
        if (option.isBlank()) {
            throw new IllegalArgumentException("a JVM option is blank: '" + option + "'");
        }
        String[] words = option.trim().split("\\s+");
        if (words.length > 1 && Arrays.stream(words).allMatch(w -> w.startsWith("-"))) {
            // The JVM would read "-Xmx256m -Xss2m" as one malformed heap size.
            throw new IllegalArgumentException("jvmOptions takes one option per argument: '" + option
                    + "' holds " + words.length + "; pass them as jvmOptions(\""
                    + String.join("\", \"", words) + "\")");
        }
        return option;
    }

    /** {@return the {@code -D} options on this JVM's command line, as they were given} */
    static List<String> systemProperties() {
        List<String> properties = new ArrayList<>();
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-D") && argument.length() > 2) {
                properties.add(argument);
            }
        }
        return properties;
    }

    /**
     * A JVM takes a quarter of the machine's memory as its maximum heap by default, so eight workers could claim
     * twice the machine. Each worker's default share is such that all of them together stay within half of it
     * (a share of a container's limit, in a container); {@code jvmOptions("-Xmx...")} overrides it.
     *
     * @return the {@code -XX:MaxRAMPercentage} option for one of {@code processes} workers
     */
    static String maxHeap(int processes) {
        double percent = Math.min(MAX_WORKER_RAM_PERCENT, WORKERS_RAM_PERCENT / processes);
        // Two decimals, rounded half up as %.2f would, without a Formatter: its first use loads the JDK's locale
        // data, milliseconds of a fresh JVM's first pool before its first worker is launched.
        long hundredths = Math.round(percent * 100);
        long fraction = hundredths % 100;
        return "-XX:MaxRAMPercentage=" + hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
    }

    /**
     * A worker runs one task at a time, so by default it gets the collector the JVM chooses for itself on a machine
     * of one processor, the serial one: no garbage-collection threads per worker (G1 starts one per processor in
     * each worker, so N workers on N processors would run N² of them), and about 20 MiB less resident memory; and a
     * heap that starts small (8 MiB) and grows on demand, where the JVM would start each worker at 1/64 of the
     * machine's memory. A collector or an initial or maximum heap size in the pool's {@code jvmOptions} replaces
     * these: two collectors on one command line stop the JVM.
     *
     * @param userOptions the pool's {@code jvmOptions}
     * @return the options to add before them
     */
    static List<String> workerDefaults(List<String> userOptions) {
        List<String> defaults = new ArrayList<>(
                unlessChosen(userOptions, o -> o.matches("-XX:[+-]Use\\w*GC"), "-XX:+UseSerialGC"));
        defaults.addAll(unlessChosen(userOptions, o -> o.startsWith("-Xms") || o.startsWith("-Xmx")
                || o.startsWith("-XX:InitialHeapSize") || o.startsWith("-XX:MaxHeapSize")
                || o.startsWith("-XX:InitialRAMPercentage"), "-Xms8m"));
        return defaults;
    }

    /**
     * A default the user's own options replace.
     *
     * @param userOptions the pool's {@code jvmOptions}
     * @param chosen      whether one of them makes the same choice
     * @param option      the default
     * @return {@code option} alone, or none if one of {@code userOptions} is {@code chosen}
     */
    private static List<String> unlessChosen(List<String> userOptions, Predicate<String> chosen, String option) {
        return userOptions.stream().anyMatch(chosen) ? List.of() : List.of(option);
    }

    /**
     * A worker keeps no performance-data file: with one, Java 17's JVM wakes every 50 ms to sample its counters, the
     * largest part of an idle worker's CPU (a scratch probe, two idle workers over 20 s, CPU time per thread from
     * {@code /proc/<pid>/task/<tid>/schedstat}: that thread's 1.7-1.8 ms a second of 3.7-3.9 in all, and 35-41 us
     * without the file). The cost: {@code jps} and {@code jstat} do not list the workers; {@code jcmd <pid>} and
     * Flight Recorder work as before. A {@code UsePerfData} option in the pool's {@code jvmOptions} replaces this.
     *
     * @param userOptions the pool's {@code jvmOptions}
     * @return the option to add before them, or none
     */
    static List<String> perfDataOff(List<String> userOptions) {
        return unlessChosen(userOptions, o -> o.matches("-XX:[+-]UsePerfData"), "-XX:-UsePerfData");
    }

    /**
     * A worker keeps the heap it grew to, as a Python worker keeps the memory it allocated. By default a JVM gives
     * back what is more than 70% free after a collection, so a worker that receives a large value on every call
     * shrank its heap after each and wrote fresh pages for the next, each a page fault (a scratch program, 64 MiB
     * round trips on a {@code ProcessPool(2)}, medians of 9 warm calls: 269-345 ms, against 99-168 ms with the heap
     * kept). A worker's resident memory is then its high-water mark, which {@code maxMemoryPerChild} bounds; a heap
     * free ratio in the pool's {@code jvmOptions} replaces this.
     *
     * @param userOptions the pool's {@code jvmOptions}
     * @return the option to add before them, or none
     */
    static List<String> heapKept(List<String> userOptions) {
        return unlessChosen(userOptions, o -> o.startsWith("-XX:MaxHeapFreeRatio")
                || o.startsWith("-XX:MinHeapFreeRatio"), "-XX:MaxHeapFreeRatio=100");
    }
}
