package io.procpool.examples.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * What the comparison ran on, printed at the top and stored with the figures: numbers mean little without it.
 *
 * @param loadAverageAtStart the system load average over the last minute when the run began, or -1 if unknown;
 *                           a loaded machine makes every figure worse and the speedups especially
 * @param park               what parking and waking a thread costs here, which bounds every hand-over in a pool
 * @param idle               what waking a sleeper and touching fresh memory cost here, below any pool; null if
 *                           they could not be measured
 * @param python             the interpreter the Python figures come from, or null if Python was not used
 */
record Machine(int cores, String cpuModel, String os, String javaVersion, String javaVm, double memoryGiB,
               double loadAverageAtStart, String started, ParkCost park, IdleCosts idle, PythonInfo python) {

    /**
     * The Python side, as the script itself reports it.
     *
     * @param startMethod multiprocessing's default way of starting workers (fork, forkserver or spawn)
     */
    record PythonInfo(String version, String implementation, String executable, String startMethod, int cpuCount) {
    }

    /**
     * Describes this machine, measuring what a park and an unpark cost on it (under a second), and what waking a
     * sleeper and touching fresh memory cost (a few seconds).
     *
     * @param python    the interpreter's own description, or null if Python is not used
     * @param gapMillis how long the sleepers sleep, as long as between the paced calls
     */
    static Machine describe(PythonInfo python, int gapMillis) throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                Runtime.version().toString(),
                System.getProperty("java.vm.name") + " (" + System.getProperty("java.vendor") + ")",
                os.getTotalMemorySize() / (double) (1L << 30),
                os.getSystemLoadAverage(), Instant.now().toString(), ParkCost.measure(), IdleCosts.measure(gapMillis),
                python);
    }

    private static String readCpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown (no /proc/cpuinfo)";
        }
    }

    void print(java.io.PrintStream out) {
        out.printf("Machine: %d cores (%s), %.1f GiB, %s%n", cores, cpuModel, memoryGiB, os);
        out.printf("Java:    %s, %s%n", javaVersion, javaVm);
        out.printf("Python:  %s%n", python == null ? "not used"
                : python.version + " (" + python.implementation + ", " + python.executable + "), multiprocessing "
                        + "start method " + python.startMethod);
        out.printf("Park:    %s%n", park.describe());
        out.printf("Idle:    %s%n", idle == null ? "not measured here" : idle.describe());
        out.printf("Load:    %s at start; started %s%n",
                loadAverageAtStart < 0 ? "unknown" : String.format("%.2f", loadAverageAtStart), started);
    }
}
