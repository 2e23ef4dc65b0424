package io.procpool.launcher;

import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JVM options a worker gets by default, and how the pool's own options replace them. */
class WorkerDefaultsTest {
    @Test
    void shouldGiveWorkersTheSerialCollectorAndASmallInitialHeapUnlessTheyAreChosen() {
        assertEquals(List.of("-XX:+UseSerialGC", "-Xms8m"), InheritedOptions.workerDefaults(List.of()));
        assertEquals(List.of("-Xms8m"), InheritedOptions.workerDefaults(List.of("-XX:+UseG1GC")));
        assertEquals(List.of("-Xms8m"), InheritedOptions.workerDefaults(List.of("-XX:+UseZGC", "-Dx=y")));
        assertEquals(List.of("-XX:+UseSerialGC"), InheritedOptions.workerDefaults(List.of("-Xmx4m")));
        assertEquals(List.of("-XX:+UseSerialGC"), InheritedOptions.workerDefaults(List.of("-Xms1g")));
        assertEquals(List.of(), InheritedOptions.workerDefaults(List.of("-XX:+UseParallelGC",
                "-XX:InitialRAMPercentage=5")));
    }

    @Test
    void shouldLetWorkersKeepTheHeapTheyGrewToUnlessAHeapFreeRatioIsChosen() {
        assertEquals(List.of("-XX:MaxHeapFreeRatio=100"), InheritedOptions.heapKept(List.of()));
        assertEquals(List.of("-XX:MaxHeapFreeRatio=100"), InheritedOptions.heapKept(List.of("-Xmx1g", "-Dx=y")));
        assertEquals(List.of(), InheritedOptions.heapKept(List.of("-XX:MaxHeapFreeRatio=70")));
        assertEquals(List.of(), InheritedOptions.heapKept(List.of("-XX:MinHeapFreeRatio=10")));
    }

    @Test
    void shouldRunWorkersWithoutAPerformanceDataFileUnlessTheUserChoosesOne() {
        assertEquals(List.of("-XX:-UsePerfData"), InheritedOptions.perfDataOff(List.of()));
        assertEquals(List.of("-XX:-UsePerfData"),
                InheritedOptions.perfDataOff(List.of("-Xmx1g", "-Dx=UsePerfData")));
        assertEquals(List.of(), InheritedOptions.perfDataOff(List.of("-XX:+UsePerfData")));
        assertEquals(List.of(), InheritedOptions.perfDataOff(List.of("-XX:-UsePerfData")));
    }

    @Test
    void shouldShareHalfTheMachinesMemoryAmongTheWorkersInPercentagesOfTwoDecimals() {
        assertEquals("-XX:MaxRAMPercentage=25.00", InheritedOptions.maxHeap(1));
        assertEquals("-XX:MaxRAMPercentage=25.00", InheritedOptions.maxHeap(2));
        assertEquals("-XX:MaxRAMPercentage=16.67", InheritedOptions.maxHeap(3));
        assertEquals("-XX:MaxRAMPercentage=6.25", InheritedOptions.maxHeap(8));
        assertEquals("-XX:MaxRAMPercentage=0.78", InheritedOptions.maxHeap(64));
        assertEquals("-XX:MaxRAMPercentage=0.05", InheritedOptions.maxHeap(1000));
        for (int processes = 1; processes <= 4096; processes++) {
            String formatted = String.format(java.util.Locale.ROOT, "-XX:MaxRAMPercentage=%.2f",
                    Math.min(25.0, 50.0 / processes));
            assertEquals(formatted, InheritedOptions.maxHeap(processes), processes + " workers");
        }
    }

    /** {@return a worker's value of a HotSpot option, read through its diagnostic bean} */
    private static String vmOptionOf(ProcessPool pool, String option) {
        return pool.apply((Integer i) -> java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(option).getValue(), 0);
    }

    private static String collectorsOf(ProcessPool pool) {
        return pool.apply((Integer i) -> ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(",")), 0);
    }

    @Test
    void shouldRunWorkersOnTheSerialCollectorByDefaultAndOnTheOneTheUserChose() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            String collectors = collectorsOf(pool);
            assertTrue(collectors.contains("MarkSweepCompact"), collectors);
            assertEquals("100", vmOptionOf(pool, "MaxHeapFreeRatio"),
                    "a worker keeps the heap it grew to by default");
            assertEquals("false", vmOptionOf(pool, "UsePerfData"),
                    "a worker keeps no performance-data file by default");
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions("-XX:+UseG1GC",
                "-XX:MaxHeapFreeRatio=60", "-XX:+UsePerfData").build()) {
            String collectors = collectorsOf(pool);
            assertTrue(collectors.contains("G1"), collectors);
            assertEquals("60", vmOptionOf(pool, "MaxHeapFreeRatio"), "the pool's own heap free ratio");
            assertEquals("true", vmOptionOf(pool, "UsePerfData"), "the pool's own choice of a performance-data file");
        }
    }

    /**
     * A JVM writing a class-data archive refuses a native agent and exits, so a pool whose workers run a debugger or
     * a profiler must start them without one: this pool's options are new, so without that its first worker would
     * be the one to write the archive.
     */
    @Test
    void shouldStartWorkersThatRunANativeAgent() {
        String agent = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0";
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions(agent).build()) {
            List<String> arguments = pool.apply((Integer i) -> ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    0);
            assertTrue(arguments.contains(agent), arguments.toString());
            assertEquals("none", pool.startupBreakdown().orElseThrow().workers().get(0).archive(),
                    "a worker with an agent neither writes nor maps an archive");
        }
    }

    /**
     * A worker halts rather than run shutdown hooks, and a flight recording's own hook is one: it writes it first.
     * Given a directory, each worker writes a file of its own there, named by its process id.
     */
    @Test
    void shouldWriteEachWorkersFlightRecordingWhenThePoolCloses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path repository = dir.resolve("repository");
        java.nio.file.Path recordings = java.nio.file.Files.createDirectory(dir.resolve("recordings"));
        try (ProcessPool pool = ProcessPool.builder().processes(2)
                .jvmOptions("-XX:StartFlightRecording:filename=" + recordings,
                        "-XX:FlightRecorderOptions:repository=" + repository).build()) {
            assertEquals(List.of(1, 4, 9, 16), pool.map((Integer i) -> i * i, List.of(1, 2, 3, 4), 1));
        }
        // JFR keeps each worker's chunks in a directory of its own under the repository while it records: a worker
        // that halts must not leave it behind (by default it is in the temporary directory).
        assertTrue(java.nio.file.Files.isDirectory(repository), "the workers recorded in " + repository);
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(repository)) {
            assertEquals(List.of(), left.collect(Collectors.toList()), "JFR's directories left after close()");
        }
        List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> listed = java.nio.file.Files.list(recordings)) {
            files = listed.sorted().collect(Collectors.toList());
        }
        assertEquals(2, files.size(), files.toString());
        for (java.nio.file.Path file : files) {
            assertTrue(file.getFileName().toString().startsWith("hotspot-pid-"), file.toString());
            List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
            assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation")),
                    file + ": " + events.size() + " events");
        }
    }
}
