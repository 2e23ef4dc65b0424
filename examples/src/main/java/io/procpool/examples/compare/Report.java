package io.procpool.examples.compare;

import io.procpool.Serialization;
import io.procpool.examples.compare.Results.Idle;
import io.procpool.examples.compare.Results.Latency;
import io.procpool.examples.compare.Results.LineRate;
import io.procpool.examples.compare.Results.PacedLatency;
import io.procpool.examples.compare.Results.FirstCall;
import io.procpool.examples.compare.Results.ProbedStartup;
import io.procpool.examples.compare.Results.SerialLatency;
import io.procpool.examples.compare.Results.SerialPayload;
import io.procpool.examples.compare.Results.SerialThroughput;
import io.procpool.examples.compare.Results.SharedSum;
import io.procpool.examples.compare.Results.Speedup;
import io.procpool.examples.compare.Results.Startup;
import io.procpool.examples.compare.Results.Throughput;
import io.procpool.examples.compare.Results.Transfer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Turns {@link Results} into one table per workload, with the ratios that answer the question: what crossing the
 * process boundary costs against threads ({@code ProcessPool/ThreadPool}), and how procpool stands against Python's
 * {@code multiprocessing.Pool} ({@code ProcessPool/Python}). A ratio needs both figures; a missing one shows "-".
 */
final class Report {
    private final Results results;
    private final int workers;

    Report(Results results) {
        this.results = results;
        this.workers = results.plan.workers();
    }

    void print(PrintStream out) {
        applyLatency().print(out);
        pacedApplyLatency().print(out);
        throughput("2. Tiny tasks x -> x * x on boxed Integers, chunksize 1", results.tinyChunksize1).print(out);
        throughput("3. Tiny tasks x -> x * x, default chunking (map without a chunksize)",
                results.tinyDefaultChunking).print(out);
        cpuBound().print(out);
        payload().print(out);
        taskDuration().print(out);
        startup().print(out);
        firstCall().print(out);
        startupProbes().print(out);
        idle().print(out);
        imapLines().print(out);
        printSerialisation(out);
        cluster().print(out);
        sharedMemory().print(out);
    }

    /** Section 1 alone: what {@code --only latency} prints. */
    void printLatency(PrintStream out) {
        applyLatency().print(out);
        pacedApplyLatency().print(out);
    }

    /** Section 7's fresh-JVM table alone: what {@code --only startup} prints. */
    void printStartup(PrintStream out) {
        firstCall().print(out);
        startupProbes().print(out);
    }

    /** Section 11 alone: what {@code --only cluster} prints. */
    void printCluster(PrintStream out) {
        cluster().print(out);
    }

    /** Section 12 alone: what {@code --only shared-memory} prints. */
    void printSharedMemory(PrintStream out) {
        sharedMemory().print(out);
    }

    private Table sharedMemory() {
        Optional<SharedSum> first = results.sharedMemory.stream().findFirst();
        Table table = new Table("12. Shared memory: " + first.map(r -> String.format(Locale.ROOT, "%,d doubles (%d"
                + " MiB)", r.doubles(), (long) r.doubles() * Double.BYTES >> 20)).orElse("a large input")
                + " summed in " + first.map(r -> Integer.toString(r.slices())).orElse("16") + " slices by a"
                + " ProcessPool(" + workers + ")" + first.map(r -> ", workers " + r.workerHeap()).orElse(""),
                "passed as", "first map ms", "map ms", "bytes crossed", "worker PSS before MiB",
                "worker PSS after MiB", "sum exact", "faster than arrays, first", "faster than arrays");
        Optional<Double> arrays = results.sharedMemory.stream().findFirst().map(SharedSum::medianMillis);
        Optional<Double> arraysFirst = results.sharedMemory.stream().findFirst().map(SharedSum::firstMillis);
        for (SharedSum r : results.sharedMemory) {
            table.row(r.how(), number(r.firstMillis()), number(r.medianMillis()), count(r.bytesPerMap()),
                    mibs(r.pssBeforeMib()), mibs(r.pssAfterMib()), r.exact() ? "yes" : "NO",
                    ratio(arraysFirst, Optional.of(r.firstMillis())), ratio(arrays, Optional.of(r.medianMillis())));
        }
        first.ifPresent(r -> table.note("Each on a fresh pool; first map ms is the pool's first map (one map, a"
                + " rough figure: for the block it includes each worker's first touch of its pages and the loop's"
                + " compilation); map ms is the median of " + r.reps() + " timed maps after " + r.warmups()
                + " more warm-up(s), this section's own counts."));
        table.note("Bytes crossed is"
                + " the pool's serialised bytes both ways for one map; PSS (from /proc/<pid>/smaps_rollup) is per"
                + " worker, once the pool had started and after the maps. The slices are copied before the map,"
                + " untimed. The sum must equal the sequential sum in the same order exactly.");
        return table;
    }

    private static String mibs(List<Double> values) {
        List<String> cells = new ArrayList<>();
        for (Double value : values) {
            cells.add(value == null ? "-" : number(value));
        }
        return cells.isEmpty() ? "-" : String.join(" / ", cells);
    }

    private Table cluster() {
        Table table = new Table("11. The same Pool on a cluster: " + workers + " local member JVMs of 1 worker each,"
                + " beside one machine's pools, all measured in this section", "engine", "start-up ms",
                "apply p50 us", "apply p99 us", "tiny tasks/s", "CPU-bound speedup", "speedup / ProcessPool");
        Optional<Speedup> processes = Results.find(results.clusterCpuBound, r -> r.engine() == Engine.PROCESS_POOL);
        for (Engine engine : List.of(Engine.THREAD_POOL, Engine.PROCESS_POOL, Engine.CLUSTER_POOL)) {
            Optional<Startup> startup = Results.find(results.clusterStartup, r -> r.engine() == engine);
            Optional<Latency> apply = Results.find(results.clusterApply, r -> r.engine() == engine);
            Optional<Throughput> tiny = Results.find(results.clusterTinyTasks, r -> r.engine() == engine);
            Optional<Speedup> cpu = Results.find(results.clusterCpuBound, r -> r.engine() == engine);
            table.row(label(engine), startup.map(r -> number(r.firstResultMillis())).orElse("-"),
                    apply.map(r -> number(r.p50Micros())).orElse("-"),
                    apply.map(r -> number(r.p99Micros())).orElse("-"),
                    tiny.map(r -> number(r.tasksPerSecond())).orElse("-"),
                    cpu.map(r -> number(r.speedup())).orElse("-"),
                    ratio(cpu.map(Speedup::speedup), processes.map(Speedup::speedup)));
        }
        Optional<Throughput> tinyProcesses = Results.find(results.clusterTinyTasks,
                r -> r.engine() == Engine.PROCESS_POOL);
        Optional<Throughput> tinyCluster = Results.find(results.clusterTinyTasks,
                r -> r.engine() == Engine.CLUSTER_POOL);
        table.note("tiny tasks, ClusterPool/ProcessPool: " + ratio(tinyCluster.map(Throughput::tasksPerSecond),
                tinyProcesses.map(Throughput::tasksPerSecond)));
        table.note("A ThreadPool starts no JVM: no start-up figure. Start-up is from the call that creates the pool"
                + " to its first result; the members load the classes archived by an earlier member where the"
                + " class path is all jars.");
        return table;
    }

    /** Section 10 alone: what {@code --only serialization} prints. */
    void printSerialisation(PrintStream out) {
        serialisationApply().print(out);
        serialisationTinyTasks().print(out);
        serialisationPayload().print(out);
        serialisationBreakdown().print(out);
    }

    void printNotes(PrintStream out) {
        if (!results.notes.isEmpty()) {
            out.println("Notes");
            results.notes.forEach(note -> out.println("  - " + note));
            out.println();
        }
    }

    private Table applyLatency() {
        Table table = new Table("1. apply(x -> x) round trip, one call at a time (median over repetitions of each"
                + " repetition's percentile)", "engine", "calls", "p50 us", "p99 us", "p50 / ThreadPool",
                "p99 / ThreadPool");
        List<Latency> rows = results.applyLatency;
        Optional<Latency> threads = Results.find(rows, r -> r.engine() == Engine.THREAD_POOL);
        for (Latency r : rows) {
            table.row(label(r.engine()), count(r.calls()), number(r.p50Micros()), number(r.p99Micros()),
                    ratio(r.p50Micros(), threads.map(Latency::p50Micros)),
                    ratio(r.p99Micros(), threads.map(Latency::p99Micros)));
        }
        Optional<Latency> processes = Results.find(rows, r -> r.engine() == Engine.PROCESS_POOL);
        Optional<Latency> python = Results.find(rows, r -> r.engine() == Engine.PYTHON);
        table.note("ProcessPool/Python: p50 " + ratio(processes.map(Latency::p50Micros), python.map(Latency::p50Micros))
                + ", p99 " + ratio(processes.map(Latency::p99Micros), python.map(Latency::p99Micros))
                + " (times; below 1x ProcessPool is faster)");
        return table;
    }

    /**
     * Workload 1, paced: the same round trip as an occasional call, the pool idle before each. A table of its own
     * under the same number, since its call counts and its statistic (one run, not a median over runs) differ.
     */
    private Table pacedApplyLatency() {
        int gapMillis = results.plan.pacedGapMillis();
        Table table = new Table("1. apply(x -> x) round trip, one call every " + gapMillis + " ms: the pool is idle"
                + " between calls and must be woken (percentiles of one run)", "engine", "calls",
                "every " + gapMillis + " ms p50 us", "p99 us", "p50 / ThreadPool");
        List<PacedLatency> rows = results.applyLatencyPaced;
        Optional<PacedLatency> threads = Results.find(rows, r -> r.engine() == Engine.THREAD_POOL);
        for (PacedLatency r : rows) {
            table.row(label(r.engine()), count(r.calls()), number(r.p50Micros()), number(r.p99Micros()),
                    ratio(r.p50Micros(), threads.map(PacedLatency::p50Micros)));
        }
        Optional<PacedLatency> processes = Results.find(rows, r -> r.engine() == Engine.PROCESS_POOL);
        Optional<PacedLatency> python = Results.find(rows, r -> r.engine() == Engine.PYTHON);
        table.note("ProcessPool/Python: p50 " + ratio(processes.map(PacedLatency::p50Micros),
                python.map(PacedLatency::p50Micros)) + " (times; below 1x ProcessPool is faster)");
        IdleCosts idle = results.machine.idle();
        if (idle != null) {
            table.note("The floor under these rows here: after " + idle.gapMillis() + " ms asleep, a thread is woken"
                    + " in " + number(idle.threadWakeMicros()) + " us, another JVM through its stdin (as a sleeping"
                    + " worker is) in " + number(idle.processWakeMicros()) + " us.");
        }
        // Nearest rank: with 100 calls p99 is the second slowest, with 30 the slowest; the reader should know.
        int calls = results.plan.pacedCalls();
        int slower = calls - (int) Math.ceil(0.99 * calls);
        table.note("Each call follows a " + gapMillis + " ms sleep of the caller; against the table above, the"
                + " difference is what waking the pool costs. Of " + count(calls) + " calls, " + (slower == 0
                ? "p99 is the slowest" : "only " + slower + (slower == 1 ? " was" : " were") + " slower than p99")
                + ": a rough figure.");
        return table;
    }

    private Table throughput(String title, List<Throughput> rows) {
        Table table = new Table(title, "engine", "items", "chunksize", "wall ms", "tasks/s", "tasks/s / ThreadPool");
        Optional<Throughput> threads = Results.find(rows, r -> r.engine() == Engine.THREAD_POOL);
        for (Throughput r : rows) {
            table.row(label(r.engine()), count(r.items()),
                    r.engine() == Engine.SEQUENTIAL ? "-" : r.chunksize() == null ? "default" : count(r.chunksize()),
                    number(r.medianMillis()), count(Math.round(r.tasksPerSecond())),
                    ratio(r.tasksPerSecond(), threads.map(Throughput::tasksPerSecond)));
        }
        table.note("ProcessPool/Python: " + ratio(
                Results.find(rows, r -> r.engine() == Engine.PROCESS_POOL).map(Throughput::tasksPerSecond),
                Results.find(rows, r -> r.engine() == Engine.PYTHON).map(Throughput::tasksPerSecond))
                + " (rates; above 1x ProcessPool is faster). Python runs fewer items where it is slow; "
                + "rates compare, wall times do not.");
        return table;
    }

    private Table cpuBound() {
        Table table = new Table("4. CPU-bound: sum of i*i, each item calibrated to about "
                + results.plan.cpuItemMillis() + " ms sequentially in its own language",
                "engine", "items", "ms per item, sequential", "sequential ms", "pool ms", "speedup");
        for (Speedup r : results.cpuBound) {
            table.row(label(r.engine()), count(r.items()), number(r.measuredItemMicros() / 1e3),
                    number(r.sequentialMillis()), number(r.medianMillis()), times(r.speedup()));
        }
        table.note("speedup = that language's sequential loop / the pool, the two timed in turn; ideally "
                + idealSpeedup() + "x here (" + workers + " workers, " + results.machine.cores() + " cores).");
        return table;
    }

    /**
     * Workload 5. Each engine's first-call figure follows its per-call ones; ThreadPool has none, since it passes a
     * reference and its first call grows nothing.
     */
    private Table payload() {
        Table table = new Table("5. apply(identity) of a byte[]: time per call, and GiB/s counting the payload once"
                + " each way", "payload", "ProcessPool us", "GiB/s", "ProcessPool first us", "ThreadPool us",
                "Python us", "GiB/s", "Python first us", "ProcessPool/ThreadPool", "ProcessPool/Python");
        for (long size : results.plan.payloadSizes()) {
            OptionalDouble processes = transfer(size, Engine.PROCESS_POOL, Transfer::perCallMicros);
            OptionalDouble threads = transfer(size, Engine.THREAD_POOL, Transfer::perCallMicros);
            OptionalDouble python = transfer(size, Engine.PYTHON, Transfer::perCallMicros);
            table.row(bytes(size), number(processes), number(transfer(size, Engine.PROCESS_POOL,
                            Transfer::gibPerSecond)), number(firstCall(size, Engine.PROCESS_POOL)),
                    number(threads), number(python), number(transfer(size, Engine.PYTHON, Transfer::gibPerSecond)),
                    number(firstCall(size, Engine.PYTHON)), ratio(processes, threads), ratio(processes, python));
        }
        table.note("Ratios are of times per call (above 1x ProcessPool is slower). A ThreadPool passes a reference: "
                + "it copies nothing, so its time is a hand-off at any size.");
        table.note("first us: the first call with a payload of that size on that pool, before the timed runs; what a"
                + " value that large costs the first time it crosses (buffers grow, fresh memory is touched). One"
                + " call, not a median: a rough figure. Each engine sends every size through one pool, smallest"
                + " first, so it is the first call at its size, not the pool's first call.");
        return table;
    }

    private OptionalDouble transfer(long size, Engine engine, ToDoubleFunction<Transfer> field) {
        return Results.find(results.payload, r -> r.payloadBytes() == size && r.engine() == engine)
                .map(r -> OptionalDouble.of(field.applyAsDouble(r))).orElse(OptionalDouble.empty());
    }

    /** @return the first call's time at {@code size} on {@code engine}, empty where it was not measured */
    private OptionalDouble firstCall(long size, Engine engine) {
        return Results.find(results.payload, r -> r.payloadBytes() == size && r.engine() == engine)
                .filter(r -> r.firstCallMicros() != null)
                .map(r -> OptionalDouble.of(r.firstCallMicros())).orElse(OptionalDouble.empty());
    }

    private Table taskDuration() {
        Table table = new Table("6. Busy-spin tasks of a fixed duration, default chunking, about "
                + results.plan.spinTargetMillis() + " ms of sequential work each: speedup over sequential",
                "task", "items", "Java us/item", "ThreadPool", "ProcessPool", "Python us/item", "Python",
                "ProcessPool/ThreadPool");
        for (long nanos : results.plan.spinNanos()) {
            Optional<Speedup> threads = spin(nanos, Engine.THREAD_POOL);
            Optional<Speedup> processes = spin(nanos, Engine.PROCESS_POOL);
            Optional<Speedup> python = spin(nanos, Engine.PYTHON);
            Optional<Speedup> java = threads.or(() -> processes);
            table.row(duration(nanos), java.map(r -> count(r.items())).orElse("-"),
                    java.map(r -> number(r.measuredItemMicros())).orElse("-"),
                    threads.map(r -> times(r.speedup())).orElse("-"),
                    processes.map(r -> times(r.speedup())).orElse("-"),
                    python.map(r -> number(r.measuredItemMicros())).orElse("-"),
                    python.map(r -> times(r.speedup())).orElse("-"),
                    ratio(processes.map(Speedup::speedup), threads.map(Speedup::speedup)));
        }
        table.note("us/item is what one item took in the sequential loop, overheads of the loop included. "
                + "Python's speedup is over Python's own loop. Below 1x the pool is slower than no pool.");
        return table;
    }

    private Optional<Speedup> spin(long nanos, Engine engine) {
        return Results.find(results.taskDuration,
                r -> r.engine() == engine && Math.abs(r.taskMicros() - nanos / 1e3) < 1e-9);
    }

    private Table startup() {
        Table table = new Table("7. Start-up: create a pool of " + workers + " workers -> its first result (median)",
                "engine", "started by", "pools", "to first result ms", "of which until ready ms");
        for (Startup r : results.startup) {
            table.row(label(r.engine()), r.variant(), count(r.pools()), number(r.firstResultMillis()),
                    r.readyMillis() == null ? "-" : number(r.readyMillis()));
        }
        Optional<Startup> processes = Results.find(results.startup, r -> r.engine() == Engine.PROCESS_POOL);
        results.startup.stream().filter(r -> r.engine() == Engine.PYTHON).forEach(python -> table.note(
                "ProcessPool/Python (" + python.variant() + "): "
                        + ratio(processes.map(Startup::firstResultMillis), Optional.of(python.firstResultMillis()))));
        table.note("This JVM had already loaded procpool's classes (an earlier pool did); a JVM's own start-up is"
                + " not included. The next table has a fresh JVM's first pool, against PP4J's.");
        return table;
    }

    /** Section 7's first call on a new pool, against the same pool's later calls, with the target. */
    private Table firstCall() {
        Table table = new Table("7. The first call on a new pool: a CPU-bound map right after build(), against the"
                + " same pool's later maps (median)", "engine", "pools", "items x ms", "first map ms",
                "later maps ms", "first / later");
        for (FirstCall r : results.firstCall) {
            table.row(label(r.engine()), count(r.pools()), r.items() + " x " + r.itemMillis(),
                    number(r.firstMapMillis()), number(r.laterMapMillis()),
                    times(r.firstMapMillis() / r.laterMapMillis()));
        }
        table.note("Each pool: ProcessPool.builder().processes(" + workers + ").build() (not timed: it returns once"
                + " every worker is ready), then the same map(cpuLoop, items) " + "4 times, each timed; the items'"
                + " CPU time is calibrated in this JVM. Later: the median of every pool's 3 later maps.");
        results.firstCall.forEach(r -> table.note(firstCallTarget(r)));
        return table;
    }

    /**
     * The target for the first call: a new pool's first map within 1.2x of its later maps.
     *
     * @param figure the first call's figures
     * @return the note, with the ratio and "met" or "MISSED"
     */
    private String firstCallTarget(FirstCall figure) {
        return target("the first map on a new pool within 1.2x of its later maps (<= 1.20x)", List.of(verdict(
                label(figure.engine()), figure.firstMapMillis() / figure.laterMapMillis(), 1.2)));
    }

    /**
     * Section 7 in fresh JVMs: one row per JDK and kind of class path, procpool's and PP4J's figures side by side,
     * and notes that say what was measured and whether each of the targets is met in this run.
     */
    private Table startupProbes() {
        Table table = new Table("7. Start-up in fresh JVMs, procpool against PP4J: create a pool of " + workers
                + " processes -> its first result (median ms)", "JDK", "class path", "procpool first",
                "procpool later", "PP4J first", "PP4J later", "first / PP4J first", "later / PP4J first",
                "first probe: procpool / PP4J");
        for (List<ProbedStartup> row : startupRows(results.startupProbes).values()) {
            Optional<ProbedStartup> procpool = Results.find(row, r -> r.engine() == Engine.PROCESS_POOL);
            Optional<ProbedStartup> pp4j = Results.find(row, r -> r.engine() == Engine.PP4J);
            Optional<Double> pp4jFirst = pp4j.map(ProbedStartup::firstPoolMillis);
            table.row("JDK " + row.get(0).jdk(), row.get(0).classpath(),
                    procpool.map(r -> number(r.firstPoolMillis())).orElse("-"),
                    procpool.map(r -> later(r)).orElse("-"),
                    pp4jFirst.map(Report::number).orElse("-"),
                    pp4j.map(r -> later(r)).orElse("-"),
                    ratio(procpool.map(ProbedStartup::firstPoolMillis), pp4jFirst),
                    ratio(procpool.map(ProbedStartup::laterPoolMillis), pp4jFirst),
                    procpool.map(r -> warmup(r)).orElse("-") + " / " + pp4j.map(r -> warmup(r)).orElse("-"));
        }
        int probes = results.plan.startupProbes();
        int later = results.plan.startupPools();
        table.note("Each figure is from probe JVMs started for this table, each running one engine only, on the row's"
                + " JDK and class path with the JVM flags of the jar's manifest: first is a probe's pool 0, which"
                + " loads the engine's classes as an application's first pool does; later is each of the " + later
                + " pools it makes after, one at a time. Medians over " + probes + " probe" + (probes == 1 ? "" : "s")
                + " per engine (later: over all their later pools), after " + results.plan.warmups() + " unmeasured"
                + " warm-up probe(s) each; the"
                + " engines take turns, the order swapped each round. A JVM's own start-up is not included.");
        table.note("procpool: ProcessPool.builder().processes(" + workers + ").build(), then apply(identity, 1);"
                + " PP4J: ProcessExecutors.newCustomJavaProcessPool(" + workers + ", " + workers + ", 0), then"
                + " submit(an identity Callable).get(). Both constructors return once every process is up (procpool's"
                + " waits for each worker to be ready, PP4J's for its minimum of processes to have started), so both"
                + " figures include all " + workers + " JVMs. Closing is not timed. Each engine's children run on the"
                + " probe's JDK and class path. The directory rows' class path is procpool's own classes in a directory"
                + " (as a build's target/classes) ahead of the jar for the dependencies: procpool's workers get the"
                + " directory packed into a cached jar, PP4J's the directory itself.");
        table.note("first probe: pool 0 of the warm-up probe, which made procpool's caches where they were missing"
                + " (a directory's jar, the class-data archive: after a rebuild, or for a new directory); PP4J keeps"
                + " no cache, so its figure there differs only by the OS's page cache.");
        table.note("The \"" + StartupSuite.REBUILT + "\" rows give every probe, warm-up included, a fresh copy of the"
                + " jar (the same classes, a new file time, as a rebuild leaves it), deleted after it with the"
                + " class-data archive procpool wrote for it: each procpool figure there is a first run after a"
                + " rebuild, which finds no archive; its first probe column is such a run too.");
        startupTargets(results.startupProbes).forEach(table::note);
        table.note(rebuiltTarget(results.startupProbes));
        // Where procpool's start went, for the running JDK's rows: a probe's pool 0, then its last pool.
        results.startupProbes.stream()
                .filter(r -> r.engine() == Engine.PROCESS_POOL && r.jdkFeature() == Runtime.version().feature())
                .filter(r -> r.breakdowns() != null && !r.breakdowns().isEmpty())
                .forEach(r -> table.note("Where procpool's start went, " + r.jdk() + ", " + r.classpath()
                        + " class path, the last probe's first and last pools (ProcessPool.startupBreakdown()):\n    "
                        + String.join("\n", r.breakdowns()).replace("\n", "\n    ")));
        return table;
    }

    /** {@return a row's later-pool median, or "-" where its probes made no later pool} */
    private static String later(ProbedStartup row) {
        return row.laterPoolMillis() == null ? "-" : number(row.laterPoolMillis());
    }

    private static String warmup(ProbedStartup row) {
        return row.warmupFirstPoolMillis() == null ? "-" : number(row.warmupFirstPoolMillis());
    }

    /** {@return the rows of the fresh-JVM table: the figures grouped by JDK and class path, in measured order} */
    private static Map<String, List<ProbedStartup>> startupRows(List<ProbedStartup> figures) {
        Map<String, List<ProbedStartup>> rows = new LinkedHashMap<>();
        for (ProbedStartup figure : figures) {
            rows.computeIfAbsent(figure.jdk() + "\n" + figure.classpath(), key -> new ArrayList<>()).add(figure);
        }
        return rows;
    }

    /**
     * The three start-up targets, each with whether this run met it on every JDK it has figures for:
     * procpool's first pool no slower than PP4J's from a directory, at most 0.8x PP4J's from jars, and a later
     * procpool pool no slower than PP4J's first, on either class path.
     *
     * @param figures the fresh-JVM figures of a run, both engines of a row side by side
     * @return one note per target, naming each JDK and class path with its ratio and "met" or "MISSED"
     */
    static List<String> startupTargets(List<ProbedStartup> figures) {
        List<String> first = new ArrayList<>();
        List<String> jarFirst = new ArrayList<>();
        List<String> later = new ArrayList<>();
        for (List<ProbedStartup> row : startupRows(figures).values()) {
            Optional<ProbedStartup> procpool = Results.find(row, r -> r.engine() == Engine.PROCESS_POOL);
            Optional<ProbedStartup> pp4j = Results.find(row, r -> r.engine() == Engine.PP4J);
            if (procpool.isEmpty() || pp4j.isEmpty() || pp4j.get().firstPoolMillis() <= 0
                    || StartupSuite.REBUILT.equals(row.get(0).classpath())) {
                continue; // a rebuilt jar's row has a target of its own (rebuiltTarget)
            }
            String where = "JDK " + row.get(0).jdk() + " " + row.get(0).classpath();
            double reference = pp4j.get().firstPoolMillis();
            boolean jar = StartupSuite.JAR.equals(row.get(0).classpath());
            (jar ? jarFirst : first).add(verdict(where, procpool.get().firstPoolMillis() / reference,
                    jar ? 0.8 : 1.0));
            if (procpool.get().laterPoolMillis() != null) {
                later.add(verdict(where, procpool.get().laterPoolMillis() / reference, 1.0));
            }
        }
        return List.of(
                target("procpool's first pool no slower than PP4J's from a directory class path (<= 1.00x)", first),
                target("procpool's first pool at most 0.8x PP4J's from jars (<= 0.80x)", jarFirst),
                target("a later procpool pool in the same JVM no slower than PP4J's first (<= 1.00x)", later));
    }

    /**
     * The target for the first run after a rebuild: procpool's first pool from a jar it has no class-data
     * archive for yet at most 1.2x PP4J's first pool from the same jar, on each JDK.
     *
     * @param figures the fresh-JVM figures of a run
     * @return the note, naming each JDK with its ratio and "met" or "MISSED"
     */
    static String rebuiltTarget(List<ProbedStartup> figures) {
        List<String> verdicts = new ArrayList<>();
        for (List<ProbedStartup> row : startupRows(figures).values()) {
            Optional<ProbedStartup> procpool = Results.find(row, r -> r.engine() == Engine.PROCESS_POOL);
            Optional<ProbedStartup> pp4j = Results.find(row, r -> r.engine() == Engine.PP4J);
            if (procpool.isPresent() && pp4j.isPresent() && pp4j.get().firstPoolMillis() > 0
                    && StartupSuite.REBUILT.equals(row.get(0).classpath())) {
                verdicts.add(verdict("JDK " + row.get(0).jdk(),
                        procpool.get().firstPoolMillis() / pp4j.get().firstPoolMillis(), 1.2));
            }
        }
        return target("procpool's first pool on the first run after the jar was rebuilt at most 1.2x PP4J's"
                + " (<= 1.20x)", verdicts);
    }

    private static String verdict(String where, double ratio, double limit) {
        return where + " " + times(ratio) + (ratio <= limit ? " met" : " MISSED");
    }

    private static String target(String what, List<String> verdicts) {
        return "Target: " + what + ": " + (verdicts.isEmpty() ? "no figures in this run"
                : String.join(", ", verdicts)) + ".";
    }

    private Table idle() {
        Table table = new Table("8. Idle cost: a pool of " + workers + " workers, warmed up, then left idle",
                "engine", "window s", "workers", "parent % core", "of which pool threads", "workers % core",
                "worker RSS MiB", "worker PSS MiB", "parent RSS MiB");
        for (Idle r : results.idle) {
            table.row(label(r.engine()), number(r.seconds()), count(r.workers()), number(r.parentCorePercent()),
                    r.poolThreadsCorePercent() == null ? "-" : number(r.poolThreadsCorePercent()),
                    r.workersCorePercent() == null ? "-" : number(r.workersCorePercent()),
                    mebibytes(r.workerRssMiB()), mebibytes(r.workerPssMiB()),
                    r.parentRssMiB() == null ? "-" : number(r.parentRssMiB()));
        }
        table.note("RSS: the pages a worker has in memory; PSS: the same with each page shared by n processes counted"
                + " as 1/n, a worker's fair share (the JVM's code and class-data archives are shared by every"
                + " worker and the parent, and RSS counts them whole in each).");
        table.note("% core: CPU time used in the window / wall time of the window. For Java the parent is this whole"
                + " JVM (nothing else ran in it meanwhile); \"of which pool threads\" is the pool's own loop thread,"
                + " timed per thread and exactly.");
        table.note(String.format(Locale.ROOT, "CPU time is read in clock ticks (10 ms on Linux) except for Python's"
                + " parent, so over %d s such a figure is good to about +-%.2f%% of a core per process.",
                results.plan.idleSeconds(), 100 * 0.01 / results.plan.idleSeconds()));
        return table;
    }

    /** @return the figures joined by " / ", or "-" when there are none (another system than Linux) */
    private static String mebibytes(List<Double> figures) {
        return figures == null || figures.isEmpty() ? "-"
                : figures.stream().map(Report::number).reduce((a, b) -> a + " / " + b).orElse("-");
    }

    /**
     * Workload 9. Both ratios are of rates, so above 1x the row is faster; the plain loop a row is against is the
     * one in its own language, as the speedups of workloads 4 and 6 are.
     */
    private Table imapLines() {
        Table table = new Table("9. imap over the lines of a " + count(results.plan.fileLines()) + "-line file read"
                + " lazily, counting each line's words, default chunking", "engine", "lines", "wall ms", "lines/s",
                "lines/s / plain loop", "lines/s / ThreadPool");
        List<LineRate> rows = results.imapLines;
        Optional<LineRate> threads = Results.find(rows, r -> r.engine() == Engine.THREAD_POOL);
        for (LineRate r : rows) {
            table.row(r.engine() == Engine.SEQUENTIAL ? "plain loop over Files.lines" : label(r.engine()),
                    count(r.lines()), number(r.medianMillis()), count(Math.round(r.linesPerSecond())),
                    times(r.loopMillis() / r.medianMillis()),
                    ratio(r.linesPerSecond(), threads.map(LineRate::linesPerSecond)));
        }
        table.note("ProcessPool/Python: " + ratio(
                Results.find(rows, r -> r.engine() == Engine.PROCESS_POOL).map(LineRate::linesPerSecond),
                Results.find(rows, r -> r.engine() == Engine.PYTHON).map(LineRate::linesPerSecond))
                + " (rates; above 1x ProcessPool is faster). The pools read the file through an Iterable, one line"
                + " at a time, and the caller sums the results as they come.");
        table.note("Python's plain loop is its own; Python reads the first " + count(results.plan.pythonFileLines())
                + " lines only, since its imap hands them over one at a time by default (chunksize 1).");
        return table;
    }

    private Table serialisationApply() {
        Table table = new Table("10. Serialisation, " + label(Engine.PROCESS_POOL) + " with each: apply(identity)"
                + " of a small record, one call at a time (median over repetitions of each repetition's percentile)",
                "serialisation", "calls", "p50 us", "p99 us", "p50 / KRYO", "bytes out", "bytes back",
                "parent ser us", "worker deser us", "worker ser us", "parent deser us");
        List<SerialLatency> rows = results.serialisationApply;
        Optional<SerialLatency> kryo = Results.find(rows, r -> r.serialization() == Serialization.KRYO);
        for (SerialLatency r : rows) {
            Crossing c = r.perItem();
            table.row(r.serialization().name(), count(r.calls()), number(r.p50Micros()), number(r.p99Micros()),
                    ratio(r.p50Micros(), kryo.map(SerialLatency::p50Micros)), number(c.bytesToWorkers()),
                    number(c.bytesFromWorkers()), number(c.parentSerializeMicros()),
                    number(c.workerDeserializeMicros()), number(c.workerSerializeMicros()),
                    number(c.parentDeserializeMicros()));
        }
        table.note("Bytes and times are per call, from the pool's own PoolStats over the measured repetitions: bytes"
                + " as the pool counts them (the message framing included), times of serialising (ser) and"
                + " rebuilding (deser) on each side, means. One pool per serialisation, started once for the"
                + " section; the pools take turns within each repetition.");
        return table;
    }

    private Table serialisationTinyTasks() {
        Table table = new Table("10. Serialisation: tiny tasks x -> x * x on boxed Integers, default chunking",
                "serialisation", "items", "wall ms", "tasks/s", "tasks/s / KRYO", "bytes out", "bytes back",
                "ser + deser us");
        List<SerialThroughput> rows = results.serialisationTinyTasks;
        Optional<SerialThroughput> kryo = Results.find(rows, r -> r.serialization() == Serialization.KRYO);
        for (SerialThroughput r : rows) {
            table.row(r.serialization().name(), count(r.items()), number(r.medianMillis()),
                    count(Math.round(r.tasksPerSecond())),
                    ratio(r.tasksPerSecond(), kryo.map(SerialThroughput::tasksPerSecond)),
                    number(r.perItem().bytesToWorkers()), number(r.perItem().bytesFromWorkers()),
                    number(r.perItem().codecMicros()));
        }
        table.note("Per item. A chunk of Integers (or Longs, Doubles, Strings, all of one class) crosses in the"
                + " framing's compact form whatever the serialisation, so here they should differ only by noise:"
                + " the choice matters for other values.");
        return table;
    }

    private Table serialisationPayload() {
        List<String> headers = new ArrayList<>(List.of("payload"));
        for (Serialization s : Serialization.values()) {
            headers.add(s.name() + " us");
        }
        headers.add("JAVA / KRYO");
        headers.add("FORY / KRYO");
        for (Serialization s : Serialization.values()) {
            headers.add(s.name() + " bytes");
        }
        Table table = new Table("10. Serialisation: apply(identity) of each payload, back to back: time per call,"
                + " and bytes sent per call", headers.toArray(String[]::new));
        for (Payload payload : Payload.values()) {
            List<String> cells = new ArrayList<>(List.of(payload.label()));
            for (Serialization s : Serialization.values()) {
                cells.add(serialPayload(payload, s).map(r -> number(r.perCallMicros())).orElse("-"));
            }
            Optional<Double> kryo = serialPayload(payload, Serialization.KRYO).map(SerialPayload::perCallMicros);
            cells.add(ratio(serialPayload(payload, Serialization.JAVA).map(SerialPayload::perCallMicros), kryo));
            cells.add(ratio(serialPayload(payload, Serialization.FORY).map(SerialPayload::perCallMicros), kryo));
            for (Serialization s : Serialization.values()) {
                cells.add(serialPayload(payload, s).map(r -> count(Math.round(r.perItem().bytesToWorkers())))
                        .orElse("-"));
            }
            table.row(cells.toArray(String[]::new));
        }
        table.note("Ratios are of times per call (above 1x slower than KRYO, the default). bytes: sent to a worker"
                + " per call, framing included; what comes back is the same value, its bytes are in results.json.");
        table.note("A lone String crosses in the framing's compact form whatever the serialisation (as numbers do),"
                + " so its row should differ only by noise: the choice costs nothing there.");
        return table;
    }

    /** Where each payload's time per call goes: the four serialising and rebuilding steps, per serialisation. */
    private Table serialisationBreakdown() {
        Table table = new Table("10. Serialisation: where a call's time goes, per payload (us per call)",
                "payload", "serialisation", "round trip", "parent ser", "worker deser", "worker ser",
                "parent deser", "bytes back");
        for (Payload payload : Payload.values()) {
            for (Serialization s : Serialization.values()) {
                serialPayload(payload, s).ifPresent(r -> table.row(payload.label(), s.name(),
                        number(r.perCallMicros()), number(r.perItem().parentSerializeMicros()),
                        number(r.perItem().workerDeserializeMicros()), number(r.perItem().workerSerializeMicros()),
                        number(r.perItem().parentDeserializeMicros()),
                        count(Math.round(r.perItem().bytesFromWorkers()))));
            }
        }
        table.note("round trip is the median over repetitions, the four steps are means over them (PoolStats); what"
                + " the four leave of the round trip is transport, queueing and the pool's own work.");
        return table;
    }

    private Optional<SerialPayload> serialPayload(Payload payload, Serialization serialization) {
        return Results.find(results.serialisationPayload,
                r -> r.payload().equals(payload.label()) && r.serialization() == serialization);
    }

    private String label(Engine engine) {
        return engine.label(workers);
    }

    private int idealSpeedup() {
        return Math.min(workers, results.machine.cores());
    }

    static String bytes(long bytes) {
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    static String duration(long nanos) {
        if (nanos >= 1_000_000 && nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + " ms";
        }
        if (nanos >= 1_000 && nanos % 1_000 == 0) {
            return nanos / 1_000 + " us";
        }
        return nanos + " ns";
    }

    /** A figure with about three significant digits, grouped when large. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        // Picked by the magnitude the value rounds to: 999.6 prints as "1,000", not "1000", 99.96 as "100".
        double magnitude = Math.abs(value);
        String format = magnitude >= 999.5 ? "%,.0f" : magnitude >= 99.95 ? "%.0f" : magnitude >= 9.995 ? "%.1f"
                : magnitude >= 0.9995 ? "%.2f" : "%.3g";
        return String.format(Locale.ROOT, format, value);
    }

    private static String number(OptionalDouble value) {
        return value.isPresent() ? number(value.getAsDouble()) : "-";
    }

    private static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A ratio with two decimals; below 0.01 with two significant digits, which "0.00x" would hide. */
    private static String times(double ratio) {
        return String.format(Locale.ROOT, ratio > 0 && ratio < 0.01 ? "%.2gx" : "%.2fx", ratio);
    }

    private static String ratio(double value, Optional<Double> reference) {
        return ratio(Optional.of(value), reference);
    }

    private static String ratio(Optional<Double> value, Optional<Double> reference) {
        return value.isPresent() && reference.isPresent() && reference.get() > 0
                ? times(value.get() / reference.get()) : "-";
    }

    private static String ratio(OptionalDouble value, OptionalDouble reference) {
        return value.isPresent() && reference.isPresent() && reference.getAsDouble() > 0
                ? times(value.getAsDouble() / reference.getAsDouble()) : "-";
    }
}
