package io.procpool.examples.compare;

import io.procpool.PoolException;
import io.procpool.ThreadPool;
import io.procpool.launcher.ProcessPool;
import io.procpool.worker.JvmFlags;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * What crossing the process boundary costs against threads, and when processes pay off: the same workloads on a
 * plain loop, a {@link ThreadPool}, a {@link ProcessPool}, a bare {@link java.util.concurrent.ThreadPoolExecutor}
 * and, where {@code python3} is on the PATH, Python's {@code multiprocessing.Pool}, side by side in one run; then a
 * ProcessPool with each {@link io.procpool.Serialization}, side by side ({@link SerialisationSuite}); then a
 * ClusterPool of local member JVMs beside a ThreadPool and a ProcessPool ({@link ClusterSuite}). Start-up is also
 * timed in fresh probe JVMs against PP4J, the other pool of child JVMs for Java, on each JDK and from a jar and a
 * directory ({@link StartupSuite}).
 *
 * <p>Run it from the examples jar, whose manifest carries the JVM flags a ProcessPool needs ({@code -cp} would
 * ignore them): {@code java -jar procpool-examples.jar compare [--quick] [--skip-python] [--out DIR]
 * [--workers N] [--only latency|startup|serialization|cluster|shared_memory] [--startup-jdk PATH]...}. It prints a table
 * per workload and the machine it ran on, and writes {@code results.json}, {@code comparison.png} and
 * {@code serialization.png} to the output directory. Every figure is the median of several repetitions measured in this run; nothing is carried
 * over from elsewhere.
 */
@Command(name = "compare", sortOptions = false,
        description = "Measures what a ProcessPool costs against threads and against Python's multiprocessing.Pool:"
                + " apply latency, tiny tasks, CPU-bound speedup, payload size, task duration, start-up, idle"
                + " cost and imap over a file's lines; and what each serialisation (KRYO, JAVA, FORY) costs.")
public final class Compare implements Callable<Integer> {
    /** The CPU time of each item of the first-call map: the size a new user's first try had (8 items of ~140 ms). */
    private static final int FIRST_CALL_ITEM_MILLIS = 140;

    /** The sections {@code --only} can name. */
    enum Section {
        /** Section 1: apply's round trip back to back and one call every 20 ms, on each engine of this JVM. */
        LATENCY,
        /** Section 7 in fresh JVMs: procpool's and PP4J's start-up per JDK, from the jar and from a directory. */
        STARTUP,
        /** Section 10: a ProcessPool with each serialisation, side by side. */
        SERIALIZATION,
        /** Section 11: a ClusterPool of local members beside a ThreadPool and a ProcessPool. */
        CLUSTER,
        /** Section 12: a large input summed in slices, passed as arrays against one SharedMemory block. */
        SHARED_MEMORY
    }

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--quick", description = "Smaller inputs and fewer repetitions: about a minute, to check that"
            + " everything runs. Too noisy to quote.")
    private boolean quick;

    @Option(names = "--skip-python", description = "Leave Python's multiprocessing.Pool out.")
    private boolean skipPython;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "compare-results",
            description = "Where results.json, comparison.png and serialization.png go (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
            description = "Workers in every pool (default: ${DEFAULT-VALUE}).")
    private int workers;

    @Option(names = "--only", paramLabel = "SECTION", description = "Run only this section; `latency`: apply's"
            + " round trip back to back and one call every 20 ms, on an executor, a ThreadPool and a ProcessPool, in"
            + " under a minute; `startup`: procpool's"
            + " and PP4J's start-up in fresh JVMs, per JDK, from the jar and from a directory, in a few minutes;"
            + " `serialization`: a ProcessPool with each serialisation (KRYO, JAVA, FORY) side by side, in a minute or"
            + " two; `cluster`: a ClusterPool of local member JVMs beside a ThreadPool and a ProcessPool, in about a"
            + " minute; `shared_memory`: 256 MiB of doubles summed in 16 slices, as arrays against one SharedMemory"
            + " block, in about a minute; less with --quick. Python is then left out.")
    private Section only;

    @Option(names = "--startup-jdk", paramLabel = "PATH", description = "A JDK home to run the start-up probes"
            + " on (repeatable); replaces the default, which is the running JDK and the newest JDK installed beside"
            + " it if that one is newer.")
    private List<Path> startupJdks = new ArrayList<>();

    @Option(names = "--python", paramLabel = "COMMAND", defaultValue = "python3",
            description = "The Python interpreter to compare with (default: ${DEFAULT-VALUE}).")
    private String python;

    /**
     * Runs the comparison and exits with 0, or with picocli's codes for bad options (2) and failures (1).
     */
    public static void main(String[] args) {
        // Before any AWT class loads: the chart is drawn off-screen, on machines that have no display.
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Compare()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers must be at least 1, was " + workers);
        }
        List<String> missingFlags = JvmFlags.missing();
        if (!missingFlags.isEmpty()) {
            // Checked before anything runs: `java -cp` ignores the jar manifest's Add-Opens, a common mistake.
            System.err.println("compare: this JVM lacks the flags a ProcessPool needs: " + String.join(" ",
                    missingFlags) + "\nRun it as `java -jar procpool-examples.jar compare ...` (the jar's manifest"
                    + " adds them), or pass them to java: " + String.join(" ", JvmFlags.required()));
            return 1;
        }
        Plan plan = quick ? Plan.quick(workers) : Plan.full(workers);
        if (only == Section.LATENCY) {
            Results results = new Results(Machine.describe(null, plan.pacedGapMillis()), plan);
            results.only = "latency";
            return runLatency(plan, results);
        }
        if (only == Section.STARTUP) {
            Results results = new Results(Machine.describe(null, plan.pacedGapMillis()), plan);
            results.only = "startup";
            return runStartup(plan, results);
        }
        if (only == Section.SERIALIZATION) {
            Results results = new Results(Machine.describe(null, plan.pacedGapMillis()), plan);
            results.only = "serialization";
            return runSerialisation(plan, results);
        }
        if (only == Section.CLUSTER) {
            Results results = new Results(Machine.describe(null, plan.pacedGapMillis()), plan);
            results.only = "cluster";
            return runCluster(plan, results);
        }
        if (only == Section.SHARED_MEMORY) {
            Results results = new Results(Machine.describe(null, plan.pacedGapMillis()), plan);
            results.only = "shared memory";
            return runSharedMemory(plan, results);
        }
        List<String> pythonSkipped = new ArrayList<>();
        Optional<PythonBridge> bridge = skipPython ? Optional.empty() : PythonBridge.find(python, pythonSkipped);
        if (skipPython) {
            pythonSkipped.add("--skip-python was given");
        }
        try {
            Machine.PythonInfo pythonInfo = null;
            if (bridge.isPresent()) {
                try {
                    pythonInfo = PythonSuite.info(bridge.get());
                } catch (IllegalStateException e) {
                    pythonSkipped.add("the script's info step failed: " + e.getMessage());
                }
            }
            Results results = new Results(Machine.describe(pythonInfo, plan.pacedGapMillis()), plan);
            pythonSkipped.forEach(why -> results.note("Python was skipped: " + why));
            return run(plan, results, pythonInfo == null ? null : bridge.get());
        } finally {
            bridge.ifPresent(PythonBridge::close);
        }
    }

    private int run(Plan plan, Results results, PythonBridge bridge) throws Exception {
        printHeader(plan, results);
        List<Jdks.Jdk> jdks = StartupSuite.jdks(startupJdks, results);

        // Three engines for apply latency (executor, ThreadPool, ProcessPool), two pools elsewhere, one start-up in
        // this JVM, then the start-up probe JVMs.
        long steps = JavaSuite.steps(plan, 3, 2) + SerialisationSuite.STEPS + ClusterSuite.STEPS
                + SharedMemorySuite.STEPS
                + (bridge == null ? 0 : PythonSuite.STEPS) + 1 + StartupSuite.steps(plan, jdks.size());
        // Written before anything is measured, so that writing it competes with nothing; Python reads it too.
        try (LinesFile lines = LinesFile.write(plan.fileLines());
             Progress progress = new Progress(steps)) {
            // The ProcessPool starts first, so that a pool that cannot start fails before anything is measured.
            try (ProcessPool processes = ProcessPool.builder().processes(plan.workers()).build();
                 ThreadPool threads = ThreadPool.create(plan.workers());
                 ExecutorRunner executor = new ExecutorRunner(plan.workers())) {
                PoolRunner onThreads = new PoolRunner(Engine.THREAD_POOL, threads);
                PoolRunner inProcesses = new PoolRunner(Engine.PROCESS_POOL, processes);
                new JavaSuite(plan, results, progress).run(List.of(executor, onThreads, inProcesses),
                        new SequentialRunner(), List.of(onThreads, inProcesses), lines);
            }
            // Its own pools, after the others are closed; a pool that cannot start here costs only this section.
            try {
                new SerialisationSuite(plan, results, progress).run();
            } catch (PoolException e) {
                results.note("the serialisation section has no figures: a pool could not start: " + e.getMessage());
            }
            try {
                new ClusterSuite(plan, results, progress).run();
            } catch (PoolException e) {
                results.note("the cluster section has no figures: a pool could not start: " + e.getMessage());
            }
            try {
                new SharedMemorySuite(plan, results, progress).run();
            } catch (PoolException e) {
                results.note("the shared-memory section has no figures: a pool could not start: " + e.getMessage());
            }
            // Python runs after the Java pools are closed, so that their idle threads take nothing from it.
            if (bridge != null) {
                new PythonSuite(plan, results, bridge, progress).run(results.machine.python().startMethod(), lines);
            }
            progress.doing("start-up: " + Engine.PROCESS_POOL.label(plan.workers()));
            try {
                results.startup.add(0, ProcessCosts.startupWithoutArchive(plan.workers(), plan.startupPools()));
                results.startup.add(0, ProcessCosts.startup(plan.workers(), plan.startupPools()));
                progress.doing("start-up: the first call on a new " + Engine.PROCESS_POOL.label(plan.workers()));
                results.firstCall.add(ProcessCosts.firstCall(plan.workers(), plan.startupPools(),
                        FIRST_CALL_ITEM_MILLIS));
            } catch (PoolException e) {
                results.note("ProcessPool start-up failed, so it has no figure: " + e.getMessage());
            }
            progress.step();
            // Last of the measurements, with every pool of this JVM closed: the probe JVMs compete with nothing.
            new StartupSuite(plan, results, progress, jdks).run();
        } catch (PoolException e) {
            System.err.println();
            System.err.println("compare: " + e.getMessage());
            return 1;
        }

        // After the progress bar has stopped: its refresh thread would count as this JVM's idle CPU.
        System.err.printf("compare: measuring idle cost, %d s per engine...%n", plan.idleSeconds());
        try {
            results.idle.add(ProcessCosts.idle(plan.workers(), plan.idleSeconds()));
        } catch (PoolException e) {
            results.note("ProcessPool idle cost failed, so it has no figure: " + e.getMessage());
        }
        if (bridge != null) {
            PythonSuite.idle(plan, results, bridge);
        }
        results.loadAverageAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        Report report = new Report(results);
        report.print(System.out);
        writeFiles(results);
        System.out.printf("Load average at the end: %.2f (at the start: %.2f)%n%n", results.loadAverageAtEnd,
                results.machine.loadAverageAtStart());
        report.printNotes(System.out);
        return 0;
    }

    /**
     * {@code --only startup}: section 7's first call on a new pool in this JVM, then its probe JVMs, with their
     * tables and results.json.
     */
    private int runStartup(Plan plan, Results results) {
        List<Jdks.Jdk> jdks = StartupSuite.jdks(startupJdks, results);
        return runSection(plan, results, 1 + StartupSuite.steps(plan, jdks.size()),
                progress -> {
                    progress.doing("start-up: the first call on a new " + Engine.PROCESS_POOL.label(plan.workers()));
                    try {
                        results.firstCall.add(ProcessCosts.firstCall(plan.workers(), plan.startupPools(),
                                FIRST_CALL_ITEM_MILLIS));
                    } catch (PoolException e) {
                        results.note("the first call on a new pool has no figure: " + e.getMessage());
                    }
                    progress.step();
                    new StartupSuite(plan, results, progress, jdks).run();
                },
                report -> report.printStartup(System.out));
    }

    /** {@code --only latency}: section 1 alone, the same engines as the whole run's, with its tables. */
    private int runLatency(Plan plan, Results results) {
        return runSection(plan, results, JavaSuite.latencySteps(3),
                progress -> {
                    try (ProcessPool processes = ProcessPool.builder().processes(plan.workers()).build();
                         ThreadPool threads = ThreadPool.create(plan.workers());
                         ExecutorRunner executor = new ExecutorRunner(plan.workers())) {
                        new JavaSuite(plan, results, progress).runLatency(List.of(executor,
                                new PoolRunner(Engine.THREAD_POOL, threads),
                                new PoolRunner(Engine.PROCESS_POOL, processes)));
                    }
                },
                report -> report.printLatency(System.out));
    }

    /** {@code --only serialization}: section 10 alone, with its table, its chart and results.json. */
    private int runSerialisation(Plan plan, Results results) {
        return runSection(plan, results, SerialisationSuite.STEPS,
                progress -> new SerialisationSuite(plan, results, progress).run(),
                report -> report.printSerialisation(System.out));
    }

    /** {@code --only cluster}: section 11 alone, with its table and results.json. */
    private int runCluster(Plan plan, Results results) {
        return runSection(plan, results, ClusterSuite.STEPS,
                progress -> new ClusterSuite(plan, results, progress).run(),
                report -> report.printCluster(System.out));
    }

    /** {@code --only shared_memory}: section 12 alone, with its table and results.json. */
    private int runSharedMemory(Plan plan, Results results) {
        return runSection(plan, results, SharedMemorySuite.STEPS,
                progress -> new SharedMemorySuite(plan, results, progress).run(),
                report -> report.printSharedMemory(System.out));
    }

    /** One section alone: its measurements, its tables, the files, the load and the notes. */
    private int runSection(Plan plan, Results results, int steps, Consumer<Progress> section,
                           Consumer<Report> print) {
        printHeader(plan, results);
        try (Progress progress = new Progress(steps)) {
            section.accept(progress);
        } catch (PoolException e) {
            System.err.println();
            System.err.println("compare: " + e.getMessage());
            return 1;
        }
        results.loadAverageAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Report report = new Report(results);
        print.accept(report);
        writeFiles(results);
        System.out.printf("Load average at the end: %.2f (at the start: %.2f)%n%n", results.loadAverageAtEnd,
                results.machine.loadAverageAtStart());
        report.printNotes(System.out);
        return 0;
    }

    private static void printHeader(Plan plan, Results results) {
        results.machine.print(System.out);
        System.out.printf("Plan:    %s, %d workers per pool, every figure the median of %d runs after %d warm-up"
                + " run(s)%s%n", plan.quick() ? "QUICK (a smoke test: figures too noisy to quote)" : "full",
                plan.workers(), plan.reps(), plan.warmups(),
                results.only == null ? "" : "; only the " + results.only + " section");
        results.notes.forEach(note -> System.out.println("         " + note));
        System.out.println();
    }

    private void writeFiles(Results results) {
        Path json = out.resolve("results.json");
        Path png = out.resolve("comparison.png");
        Path serialisationPng = out.resolve("serialization.png");
        try {
            results.writeJson(json);
            System.out.println("Wrote " + json.toAbsolutePath());
        } catch (Exception e) {
            results.note("could not write " + json + ": " + e);
        }
        if (results.only == null) {
            try {
                if (ChartWriter.write(results, png)) {
                    System.out.println("Wrote " + png.toAbsolutePath());
                } else {
                    results.note("no chart: neither the payload nor the task-duration sweep has figures");
                }
            } catch (Exception e) {
                results.note("could not draw " + png + ": " + e);
            }
        }
        if ("cluster".equals(results.only) || "startup".equals(results.only)
                || "shared memory".equals(results.only) || "latency".equals(results.only)) {
            System.out.println();
            return;
        }
        try {
            if (ChartWriter.writeSerialisation(results, serialisationPng)) {
                System.out.println("Wrote " + serialisationPng.toAbsolutePath());
            } else {
                results.note("no serialisation chart: its payload sweep has no figures");
            }
        } catch (Exception e) {
            results.note("could not draw " + serialisationPng + ": " + e);
        }
        System.out.println();
    }
}
