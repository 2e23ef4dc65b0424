package io.procpool.examples.compare;

import com.google.gson.GsonBuilder;
import io.procpool.Serialization;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything one run measured, one list per workload, plus the machine, the plan and notes on what was skipped or
 * failed. Only what was measured goes in; the tables, the JSON file and the chart are all drawn from here.
 */
final class Results {

    /** Workload 1: the latency of one apply round trip. */
    record Latency(Engine engine, int calls, double p50Micros, double p99Micros) {
    }

    /**
     * Workload 1, paced: the latency of one apply round trip made after the caller slept {@code gapMillis}, so that
     * the pool was idle and had to be woken. Percentiles of one run of {@code calls} calls, not medians over runs.
     */
    record PacedLatency(Engine engine, int calls, int gapMillis, double p50Micros, double p99Micros) {
    }

    /** Workloads 2 and 3: tiny tasks; {@code chunksize} null means the engine's default chunking. */
    record Throughput(Engine engine, Integer chunksize, int items, double medianMillis, double tasksPerSecond) {
    }

    /**
     * Workloads 4 and 6: a pool's speedup over the same engine family's sequential run (Java's plain loop, or
     * Python's own loop for Python).
     *
     * @param taskMicros         the intended duration of one task
     * @param measuredItemMicros what one item took in the sequential run, which is what the speedup is against
     */
    record Speedup(Engine engine, double taskMicros, double measuredItemMicros, int items, double sequentialMillis,
                   double medianMillis, double speedup) {
    }

    /**
     * Section 12: {@code doubles} doubles summed in {@code slices} tasks on a fresh ProcessPool, one way of passing
     * them ({@code how}).
     *
     * @param warmups            unmeasured maps before the timed ones
     * @param reps               timed maps; this section's own counts, whatever the plan's
     * @param firstMillis        the pool's first map, before the warm-ups: one map, a rough figure
     * @param medianMillis       the median wall time of one map
     * @param bytesPerMap        serialised bytes that crossed both ways in one map, from the pool's stats
     * @param pssBeforeMib       each worker's PSS once the pool had started, in MiB (null where unreadable)
     * @param pssAfterMib        the same workers' PSS after the maps
     * @param exact              whether {@code sum} equals {@code sequentialSum} exactly
     */
    record SharedSum(String how, int doubles, int slices, int workers, String workerHeap, int warmups, int reps,
                     double firstMillis, double medianMillis,
                     long bytesPerMap, List<Double> pssBeforeMib, List<Double> pssAfterMib, double sum,
                     double sequentialSum, boolean exact) {
    }

    /**
     * Workload 5: apply(identity) of a byte array; GiB/s counts the payload once each way.
     *
     * @param firstCallMicros the first call with a payload of this size on this pool, made before the timed runs:
     *                        what a user pays the first time such a value crosses (buffers grow, fresh memory is
     *                        touched). One call, not a median. Null where not measured: a ThreadPool passes a
     *                        reference, so its first call has nothing to grow
     */
    record Transfer(Engine engine, long payloadBytes, int calls, double perCallMicros, double gibPerSecond,
                    Double firstCallMicros) {
    }

    /**
     * Workload 7: from creating a pool to its first result.
     *
     * @param variant     how the pool started its workers (Python's start method; "JVM" for ProcessPool)
     * @param readyMillis until every worker was ready ({@code ProcessPool.startupTime()}); null where not known
     */
    record Startup(Engine engine, String variant, int pools, double firstResultMillis, Double readyMillis) {
    }

    /**
     * Workload 7, the first call: a CPU-bound {@code map} on a pool just created (its {@code build()} returned, its
     * workers ready), against the same pool's later maps of the same items. Medians over the pools.
     *
     * @param pools          pools created, each timed once on its first map and on its later ones
     * @param items          the map's items
     * @param itemMillis     each item's CPU time, calibrated in this JVM
     * @param firstMapMillis each pool's first map, median over the pools
     * @param laterMapMillis each pool's later maps, median over all of them
     */
    record FirstCall(Engine engine, int pools, int items, int itemMillis, double firstMapMillis,
                     double laterMapMillis) {
    }

    /**
     * Workload 7 in fresh JVMs: one engine's pools timed by {@link StartupProbe} JVMs started on one JDK with one
     * kind of class path, each JVM running that engine only. Medians over the measured probes.
     *
     * @param jdk                   the JDK's version, e.g. {@code 25.0.3}
     * @param jdkFeature            its feature release, e.g. 25
     * @param classpath             {@link StartupSuite#JAR} or {@link StartupSuite#DIRECTORY}
     * @param probes                the measured probe JVMs (after the unmeasured warm-up ones)
     * @param firstPoolMillis       pool 0, each probe JVM's first pool: create -> first result, median
     * @param laterPoolMillis       the probes' later pools, all of them together: median; null where there were none
     * @param firstReadyMillis      for procpool, pool 0's {@code startupTime()} (until every worker was ready),
     *                              median; null for PP4J
     * @param warmupFirstPoolMillis pool 0 of the first, unmeasured probe on this JDK and class path, which may have
     *                              made procpool's caches (a directory's jar, the class-data archive); null where
     *                              there was no warm-up
     * @param firstPools            each measured probe's pool 0, in the order they ran
     * @param laterPools            every later pool of the measured probes, in the order they ran
     * @param breakdowns            for procpool, the last measured probe's {@code startupBreakdown()} of its pool 0
     *                              and of its last pool, as they print; empty for PP4J
     */
    record ProbedStartup(String jdk, int jdkFeature, String classpath, Engine engine, int probes,
                         double firstPoolMillis, Double laterPoolMillis, Double firstReadyMillis,
                         Double warmupFirstPoolMillis, List<Double> firstPools, List<Double> laterPools,
                         List<String> breakdowns) {
    }

    /**
     * Workload 8: what an idle pool costs. CPU is in percent of one core over the window.
     *
     * @param workersCorePercent     null where the workers' CPU time could not be read
     * @param workerRssMiB           each worker's resident memory at the end of the window
     * @param workerPssMiB           the same as a proportional set size: each page shared by n processes counted as
     *                               1/n of it; empty where the kernel does not give it
     * @param poolThreadsCorePercent for a ProcessPool, the CPU of the pool's own threads in the parent (its loop),
     *                               measured per thread, apart from whatever else the parent JVM does; else null
     */
    record Idle(Engine engine, double seconds, int workers, double parentCorePercent, Double workersCorePercent,
                List<Double> workerRssMiB, List<Double> workerPssMiB, Double parentRssMiB,
                Double poolThreadsCorePercent) {
    }

    /**
     * Workload 9: a word count over the lines of a file, by a plain loop or by a pool's {@code imap} reading the
     * file lazily. Rates compare across rows; wall times only where the line counts are the same.
     *
     * @param loopMillis the same language's plain loop over the same lines, timed in turn with this row's engine
     *                   (Java's loop is {@link Engine#SEQUENTIAL}; Python's is its own, in the script)
     */
    record LineRate(Engine engine, int lines, double medianMillis, double linesPerSecond, double loopMillis) {
    }

    /**
     * Section 10: the apply round trip of a small record on a ProcessPool with one serialisation, one call at a
     * time; percentiles as in workload 1, and what crossing cost per call.
     */
    record SerialLatency(Serialization serialization, String payload, int calls, double p50Micros, double p99Micros,
                         Crossing perItem) {
    }

    /** Section 10: tiny tasks with default chunking on a ProcessPool with one serialisation. */
    record SerialThroughput(Serialization serialization, int items, double medianMillis, double tasksPerSecond,
                            Crossing perItem) {
    }

    /** Section 10: apply(identity) of one payload on a ProcessPool with one serialisation, back to back. */
    record SerialPayload(Serialization serialization, String payload, int calls, double perCallMicros,
                         Crossing perItem) {
    }

    final Machine machine;
    final Plan plan;
    final List<Latency> applyLatency = new ArrayList<>();
    final List<PacedLatency> applyLatencyPaced = new ArrayList<>();
    final List<Throughput> tinyChunksize1 = new ArrayList<>();
    final List<Throughput> tinyDefaultChunking = new ArrayList<>();
    final List<Speedup> cpuBound = new ArrayList<>();
    final List<Transfer> payload = new ArrayList<>();
    final List<Speedup> taskDuration = new ArrayList<>();
    final List<Startup> startup = new ArrayList<>();
    /** Workload 7's first call on a new pool, against its later calls. */
    final List<FirstCall> firstCall = new ArrayList<>();
    /** Workload 7 in fresh probe JVMs: procpool and PP4J per JDK and kind of class path. */
    final List<ProbedStartup> startupProbes = new ArrayList<>();
    final List<Idle> idle = new ArrayList<>();
    final List<LineRate> imapLines = new ArrayList<>();
    final List<SerialLatency> serialisationApply = new ArrayList<>();
    final List<SerialThroughput> serialisationTinyTasks = new ArrayList<>();
    final List<SerialPayload> serialisationPayload = new ArrayList<>();
    /** Section 11: start-up of a ProcessPool and of a ClusterPool of local members, in this section. */
    final List<Startup> clusterStartup = new ArrayList<>();
    /** Section 11: the apply round trip on a ThreadPool, a ProcessPool and a ClusterPool, in this section. */
    final List<Latency> clusterApply = new ArrayList<>();
    /** Section 11: tiny tasks with default chunking on each pool, in this section. */
    final List<Throughput> clusterTinyTasks = new ArrayList<>();
    /** Section 11: the CPU-bound speedup of each pool, in turn with the sequential loop. */
    final List<Speedup> clusterCpuBound = new ArrayList<>();
    /** Section 12: a large input summed in slices, as arrays against one SharedMemory block. */
    final List<SharedSum> sharedMemory = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    Double loadAverageAtEnd;
    /** The one section that ran (the {@code --only} option), or null when they all did. */
    String only;

    Results(Machine machine, Plan plan) {
        this.machine = machine;
        this.plan = plan;
    }

    /** Records something the reader must know: a skipped engine, a failed measurement. */
    synchronized void note(String note) {
        notes.add(note);
    }

    /** @return the first of {@code list} that matches, if any: the lists are short, a search is clearer than maps */
    static <T> Optional<T> find(List<T> list, Predicate<T> which) {
        return list.stream().filter(which).findFirst();
    }

    /** Writes everything, the machine and the plan included, as one pretty-printed JSON object. */
    void writeJson(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(this, out);
        }
    }
}
