package io.procpool.examples.compare;

import io.procpool.examples.compare.Jdks.Jdk;
import io.procpool.examples.compare.Results.ProbedStartup;
import io.procpool.examples.compare.StartupProbe.Line;
import io.procpool.worker.JvmFlags;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Workload 7 as an application meets it: procpool's and PP4J's start-up in fresh JVMs ({@link StartupProbe}), on
 * each JDK, with the examples jar as the class path and with procpool's own classes extracted into a directory ahead
 * of the jar for everything else: how an IDE or a build's tests run a project, its classes in {@code target/classes}
 * and its dependencies in jars; and with the jar just rebuilt (a fresh copy for each probe, which procpool has no
 * class-data archive for yet). The comparison JVM itself has loaded procpool and warmed its JIT, so what it times
 * is only ever a later pool; a probe JVM's pool 0 is what a user's program pays the first time.
 *
 * <p>Fairness: each probe JVM runs one engine, so neither finds the other's classes loaded; the engines take turns
 * within each round, the order swapped from one round to the next, so that drift on the machine (another build, a
 * throttled CPU) falls on both alike; both probes of a row get the same JDK, class path and JVM flags, and each
 * engine's children run on the probe's JDK and class path. One unmeasured probe per engine comes first on each row,
 * as every other workload has a warm-up: it makes what a second run of the same program would find (procpool's jar
 * of a directory, its class-data archive, the OS's page cache of the class path for either engine).
 */
final class StartupSuite {
    /** The class path kind that is the examples jar itself. */
    static final String JAR = "jar";
    /** The class path kind that is a directory of the project's classes, then the jar for its dependencies. */
    static final String DIRECTORY = "directory";
    /**
     * The class path kind that is the examples jar just rebuilt: a fresh copy for every probe, as a build leaves a
     * jar of a new time, so that procpool finds no class-data archive for it (its first run after a rebuild).
     */
    static final String REBUILT = "jar, rebuilt";
    /** What a rebuilt jar's temporary directory is named after. */
    private static final String REBUILT_PREFIX = "procpool-rebuilt-";
    /** What the directory holds: the project's own classes, as a build's {@code target/classes} would. */
    static final String PROJECT_CLASSES = "io/procpool/";
    /** A probe JVM gets this long to start, plus {@link #PROBE_SECONDS_PER_POOL} per pool, then it is killed. */
    private static final long PROBE_BASE_SECONDS = 60;
    private static final long PROBE_SECONDS_PER_POOL = 30;
    /** Long enough for a killed probe's exit to be reaped; a process that outlives it is left to the OS. */
    private static final long KILL_WAIT_SECONDS = 10;
    private static final int NOTE_CHARS = 300;

    private final Plan plan;
    private final Results results;
    private final Progress progress;
    private final List<Jdk> jdks;

    /**
     * @param plan     the probes per row and the pools per probe
     * @param results  where the rows and the notes go
     * @param progress counts one step per probe JVM
     * @param jdks     the JDKs to probe, from {@link #jdks}
     */
    StartupSuite(Plan plan, Results results, Progress progress, List<Jdk> jdks) {
        this.plan = plan;
        this.results = results;
        this.progress = progress;
        this.jdks = jdks;
    }

    /**
     * Counts the progress steps of {@link #run}: one per probe JVM, warm-ups included.
     *
     * @param plan the plan, for the probes per row
     * @param jdks how many JDKs are probed
     * @return the steps
     */
    static int steps(Plan plan, int jdks) {
        return jdks * 3 * 2 * (plan.warmups() + plan.startupProbes());
    }

    /**
     * The JDKs to probe: those {@code chosen} ({@code --startup-jdk}), or else the running one and the newest beside
     * it ({@link Jdks#defaults}). A chosen directory that is no JDK costs only itself, with a note.
     *
     * @param chosen  the JDK homes given on the command line, or empty for the defaults
     * @param results where the notes go
     * @return the JDKs, in the order their rows are measured
     */
    static List<Jdk> jdks(List<Path> chosen, Results results) {
        if (chosen.isEmpty()) {
            List<Jdk> defaults = Jdks.defaults(Path.of(System.getProperty("java.home")));
            if (defaults.isEmpty()) {
                results.note("start-up: the running Java (" + System.getProperty("java.home") + ") has no release"
                        + " file, so no JDK to probe was found; name one with --startup-jdk");
            }
            return defaults;
        }
        List<Jdk> jdks = new ArrayList<>();
        for (Path home : chosen) {
            Jdks.read(home).ifPresentOrElse(jdks::add, () -> results.note("start-up: --startup-jdk " + home
                    + " is no JDK (it needs a release file naming JAVA_VERSION and bin/java), so it has no rows"));
        }
        return jdks;
    }

    /**
     * Probes every JDK with both kinds of class path. Nothing here throws for a probe that fails: that costs its row,
     * with a note saying why.
     */
    void run() {
        Path jar = examplesJar();
        if (jar == null) {
            results.note("start-up: the probes need the examples jar (java -jar procpool-examples.jar compare);"
                    + " this run's classes come from " + codeSource() + ", so the section has no figures");
            progress.step(steps(plan, jdks.size()));
            return;
        }
        Path directory;
        try {
            progress.doing("start-up: extracting procpool's classes into a directory");
            directory = extract(jar, PROJECT_CLASSES);
        } catch (IOException | RuntimeException e) {
            results.note("start-up: could not extract " + jar + " into a directory, so the directory rows are"
                    + " missing: " + e);
            directory = null;
        }
        try {
            for (Jdk jdk : jdks) {
                String jarPath = jar.toString();
                row(jdk, JAR, () -> jarPath);
                if (directory != null) {
                    String classpath = directory + java.io.File.pathSeparator + jar;
                    row(jdk, DIRECTORY, () -> classpath);
                } else {
                    progress.step(2 * (plan.warmups() + plan.startupProbes()));
                }
                row(jdk, REBUILT, () -> rebuilt(jar));
            }
        } finally {
            if (directory != null) {
                delete(directory);
            }
        }
    }

    /**
     * One JDK and class path: the warm-up probes, then the measured ones, the engines taking turns.
     *
     * @param classpath gives each probe its class path: the same each time, or a freshly rebuilt jar
     */
    private void row(Jdk jdk, String kind, ClassPathSource classpath) {
        Map<Engine, List<Line>> measured = new EnumMap<>(Engine.class);
        Map<Engine, Line> warmup = new EnumMap<>(Engine.class);
        Map<Engine, String> failed = new EnumMap<>(Engine.class);
        int rounds = plan.warmups() + plan.startupProbes();
        for (int round = 0; round < rounds; round++) {
            List<Engine> order = round % 2 == 0 ? List.of(Engine.PROCESS_POOL, Engine.PP4J)
                    : List.of(Engine.PP4J, Engine.PROCESS_POOL);
            for (Engine engine : order) {
                if (!failed.containsKey(engine)) {
                    progress.doing("start-up: " + name(engine) + ", " + jdk.label() + ", " + kind
                            + (round < plan.warmups() ? " (warm-up)" : ""));
                    try {
                        Line line = probeWith(jdk, engine, classpath);
                        if (round < plan.warmups()) {
                            warmup.putIfAbsent(engine, line);
                        } else {
                            measured.computeIfAbsent(engine, e -> new ArrayList<>()).add(line);
                        }
                    } catch (ProbeFailure e) {
                        // One failure and the engine's row is gone: its other probes would fail the same way.
                        failed.put(engine, e.getMessage());
                        results.note("start-up: " + name(engine) + " on " + jdk.label() + " from a " + kind
                                + " has no figures: " + e.getMessage());
                    }
                }
                progress.step();
            }
        }
        for (Engine engine : List.of(Engine.PROCESS_POOL, Engine.PP4J)) {
            if (!failed.containsKey(engine) && measured.containsKey(engine)) {
                results.startupProbes.add(summarise(jdk, kind, engine, measured.get(engine),
                        warmup.get(engine)));
            }
        }
    }

    /** Where a probe's class path comes from: the same path every time, or a jar rebuilt for each probe. */
    @FunctionalInterface
    private interface ClassPathSource {
        String next() throws IOException;
    }

    /**
     * Runs one probe on the class path {@code classpath} gives it. A rebuilt jar is deleted after its probe, with
     * the class-data archive procpool wrote for it (a new file in its cache), so that the cache keeps the archives
     * of the jars that stay.
     */
    private Line probeWith(Jdk jdk, Engine engine, ClassPathSource classpath) throws ProbeFailure {
        String path;
        try {
            path = classpath.next();
        } catch (IOException e) {
            throw new ProbeFailure("could not copy the jar to rebuild it: " + e);
        }
        boolean rebuilt = path.contains(REBUILT_PREFIX);
        java.util.Set<Path> archivesBefore = rebuilt ? archives() : java.util.Set.of();
        try {
            return probe(jdk, engine, path);
        } finally {
            if (rebuilt) {
                delete(Path.of(path).getParent());
                archives().stream().filter(archive -> !archivesBefore.contains(archive))
                        .forEach(StartupSuite::deleteQuietly);
            }
        }
    }

    /**
     * {@return a copy of {@code jar} in a new temporary directory: a jar of the same classes and a new time, as a
     * rebuild leaves it}
     */
    private static String rebuilt(Path jar) throws IOException {
        Path directory = Files.createTempDirectory(REBUILT_PREFIX);
        return Files.copy(jar, directory.resolve(jar.getFileName())).toString();
    }

    /** {@return the class-data archives in procpool's cache now} */
    private static java.util.Set<Path> archives() {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "procpool", "cds");
        try (Stream<Path> files = Files.list(cache)) {
            return files.collect(java.util.stream.Collectors.toSet());
        } catch (IOException | RuntimeException e) {
            return java.util.Set.of();
        }
    }

    /**
     * One engine's row from its measured probes.
     *
     * @param jdk    the JDK the probes ran on
     * @param kind   {@link #JAR} or {@link #DIRECTORY}
     * @param engine {@link Engine#PROCESS_POOL} or {@link Engine#PP4J}
     * @param lines  the measured probes' lines, at least one
     * @param warmup the warm-up probe's line, or null where there was none
     * @return the row, medians and each probe's figures
     */
    static ProbedStartup summarise(Jdk jdk, String kind, Engine engine, List<Line> lines, Line warmup) {
        List<Double> first = lines.stream().map(Line::firstPool).toList();
        List<Double> later = lines.stream().flatMap(line -> line.laterPools().stream()).toList();
        List<Double> ready = lines.stream().filter(line -> !line.readyMillis().isEmpty())
                .map(line -> line.readyMillis().get(0)).toList();
        return new ProbedStartup(jdk.version(), jdk.feature(), kind, engine, lines.size(), median(first),
                later.isEmpty() ? null : median(later), ready.isEmpty() ? null : median(ready),
                warmup == null ? null : warmup.firstPool(), first, later, breakdowns(lines.get(lines.size() - 1)));
    }

    /** {@return a probe's breakdowns of its pool 0 and its last pool, where it has them} */
    private static List<String> breakdowns(Line line) {
        List<String> all = line.breakdowns();
        if (all.isEmpty()) {
            return List.of();
        }
        return all.size() == 1 ? List.of(all.get(0)) : List.of(all.get(0), all.get(all.size() - 1));
    }

    /**
     * Starts one probe JVM and waits for its line, killing it (and the pools' children it started) when it takes
     * longer than its timeout. Its output goes to files, not pipes, so a chatty probe can never block on a full
     * pipe while this waits for it.
     *
     * @throws ProbeFailure if it could not start, timed out, failed, ran on another Java or printed no line
     */
    private Line probe(Jdk jdk, Engine engine, String classpath) throws ProbeFailure {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("procpool-probe-", ".out");
            err = Files.createTempFile("procpool-probe-", ".err");
            List<String> command = command(jdk, engine, classpath);
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
            long timeout = PROBE_BASE_SECONDS + PROBE_SECONDS_PER_POOL * (1L + plan.startupPools());
            if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
                kill(process);
                throw new ProbeFailure("the probe JVM took over " + timeout + " s and was killed"
                        + lastWords(err));
            }
            if (process.exitValue() != 0) {
                throw new ProbeFailure("the probe JVM exited with " + process.exitValue() + lastWords(err));
            }
            Line line = Line.parse(Files.readString(out, StandardCharsets.UTF_8));
            int feature = Runtime.Version.parse(line.javaVersion()).feature();
            if (feature != jdk.feature()) {
                throw new ProbeFailure("the probe ran on Java " + line.javaVersion() + ", not " + jdk.version());
            }
            return line;
        } catch (IOException | IllegalArgumentException e) {
            throw new ProbeFailure(e.getMessage() + (err == null ? "" : lastWords(err)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeFailure("interrupted");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /**
     * The probe's command line. Both kinds of class path get the same flags: those the jar's manifest gives a
     * {@code java -jar} run ({@code Add-Opens}, {@code Add-Exports}, {@code Enable-Native-Access}), which
     * {@code -cp} ignores, so that the class path is the only difference between a row's two kinds.
     */
    private List<String> command(Jdk jdk, Engine engine, String classpath) {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(JvmFlags.required());
        if (jdk.feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED"); // the manifest's Enable-Native-Access
        }
        command.addAll(List.of("-cp", classpath, StartupProbe.class.getName(),
                engine == Engine.PP4J ? StartupProbe.PP4J : StartupProbe.PROCPOOL,
                Integer.toString(plan.workers()), Integer.toString(plan.startupPools())));
        return command;
    }

    /**
     * Kills a probe that overran, its descendants first: they are listed while the probe still lives (once it is
     * gone they belong to no one), and a pool's children left running would take CPU from every later probe.
     */
    private static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** {@return ", saying: " and the last line of a probe's stderr that is no stack frame, or "" if it said nothing} */
    private static String lastWords(Path err) {
        try {
            List<String> said = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0))).toList();
            if (said.isEmpty()) {
                return "";
            }
            String last = said.get(said.size() - 1).strip();
            return ", saying: " + (last.length() > NOTE_CHARS ? last.substring(0, NOTE_CHARS) + "..." : last);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** {@return the examples jar this class was loaded from, or null where it came from a directory} */
    private static Path examplesJar() {
        try {
            Path source = Path.of(StartupSuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(source) && source.toString().endsWith(".jar") ? source : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String codeSource() {
        try {
            return String.valueOf(StartupSuite.class.getProtectionDomain().getCodeSource().getLocation());
        } catch (RuntimeException e) {
            return "an unknown place";
        }
    }

    /**
     * Extracts the entries of {@code jar} under {@code prefix} into a new temporary directory, once per run: the
     * directory rows' classes. Entries that would land outside the directory are refused.
     *
     * @param jar    the jar
     * @param prefix the entries to extract, e.g. {@value #PROJECT_CLASSES}; empty for all
     * @return the new directory, which the caller deletes ({@link #delete})
     * @throws IOException if the jar cannot be read or the directory written; nothing is left behind then
     */
    static Path extract(Path jar, String prefix) throws IOException {
        Path directory = Files.createTempDirectory("procpool-startup-classes-");
        try (InputStream in = Files.newInputStream(jar); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (!entry.getName().startsWith(prefix)) {
                    continue;
                }
                Path target = directory.resolve(entry.getName()).normalize();
                if (!target.startsWith(directory)) {
                    throw new IOException("the jar's entry " + entry.getName() + " points outside the directory");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | RuntimeException e) {
            delete(directory);
            throw e;
        }
        return directory;
    }

    /**
     * Deletes a directory tree; what cannot be deleted is left, since a leftover temporary file harms no figure.
     *
     * @param directory the tree's root
     */
    static void delete(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(StartupSuite::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // Best effort, as above.
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Best effort: a temporary file left behind harms no figure.
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String name(Engine engine) {
        return engine == Engine.PP4J ? "PP4J" : "procpool";
    }

    private static double median(List<Double> values) {
        return Timing.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Why one probe gave no figures: the text of the note its row gets. */
    private static final class ProbeFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ProbeFailure(String message) {
            super(message);
        }
    }
}
