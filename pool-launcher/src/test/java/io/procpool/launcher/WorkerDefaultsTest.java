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

    private static String collectorsOf(ProcessPool pool) {
        return pool.apply((Integer i) -> ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(",")), 0);
    }

    @Test
    void shouldRunWorkersOnTheSerialCollectorByDefaultAndOnTheOneTheUserChose() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            String collectors = collectorsOf(pool);
            assertTrue(collectors.contains("MarkSweepCompact"), collectors);
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions("-XX:+UseG1GC").build()) {
            String collectors = collectorsOf(pool);
            assertTrue(collectors.contains("G1"), collectors);
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
        }
    }

    /** A worker halts rather than run shutdown hooks, and a flight recording's own hook is one: it writes it first. */
    @Test
    void shouldWriteAWorkersFlightRecordingWhenThePoolCloses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("worker.jfr");
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions("-XX:StartFlightRecording:filename=" + file).build()) {
            assertEquals(4, (int) pool.apply((Integer i) -> i * i, 2));
        }
        List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.JVMInformation")),
                events.size() + " events");
    }
}
