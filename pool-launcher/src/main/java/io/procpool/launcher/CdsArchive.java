package io.procpool.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A class-data-sharing archive of the classes a worker loads, made once per JDK and classpath and reused by every
 * later worker: it takes a worker's start from about a second to about two thirds of that on the machines this was
 * measured on (Chronicle alone loads some two thousand classes). A JVM that finds no archive writes one as it exits
 * ({@code -XX:ArchiveClassesAtExit}, which works from Java 13 on): for a pool's workers, a JVM of its own that runs
 * no task ({@link ArchiveWriter}); for a cluster's members, the first member. Later JVMs map it
 * ({@code -XX:SharedArchiveFile}). A stale or foreign archive is ignored by the JVM, silently, since its CDS log
 * is turned off.
 *
 * <p>CDS accepts only jars on the classpath: a classpath with directories (as under an IDE or Surefire running
 * from {@code target/classes}) has them packed into jars first ({@link DirectoryJars}). The archives live in {@code ~/.cache/procpool/cds}, named by a hash
 * of the JDK, of the classpath's jars with their sizes and times and of the JVMs' own options, so a rebuilt jar (or
 * another collector) gets a new archive; archives
 * unused for a month, half-written ones whose writer is gone, and the least recently used beyond
 * {@value #MAX_CACHE_BYTES} bytes in all are deleted. Set the system property {@value #PROPERTY} to {@code false}
 * to turn this off. JVMs of another kind on the same classpath (a cluster pool's members, which load Hazelcast)
 * get archives of their own.
 */
public final class CdsArchive {
    /** The system property that turns archives off. */
    public static final String PROPERTY = "procpool.cds";
    /** The JVM option that writes an archive as the JVM exits: on the command line of a writer, of no worker. */
    public static final String WRITE_OPTION = "-XX:ArchiveClassesAtExit=";
    private static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";
    private static final long UNUSED_FOR_MILLIS = 30L * 24 * 3600 * 1000;
    /** The cache's size at most: a few archives of a few tens of MiB each. */
    static final long MAX_CACHE_BYTES = 128L << 20;

    /** One worker per JVM writes a given archive at a time, whichever pool started it. */
    private static final java.util.Set<Path> CLAIMED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Archives whose writer had to be killed in this JVM: none is started for them again here. */
    private static final java.util.Set<Path> GIVEN_UP = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path archive;
    private final Path inProgress;
    @com.google.errorprone.annotations.concurrent.GuardedBy("this")
    private boolean claimed;

    private CdsArchive(Path archive) {
        this.archive = archive;
        this.inProgress = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    }

    /**
     * Returns the archive for JVMs of one kind started with this classpath and these JVM options: an archive is
     * only mapped by a JVM whose settings match the one that wrote it (a collector, heap sizes), so other options
     * get an archive of their own rather than one the JVM would silently refuse.
     *
     * @param classpath  the JVMs' classpath
     * @param kind       what the JVMs run, e.g. {@code member}: each kind loads classes of its own
     * @param jvmOptions the JVMs' own options (the user's), part of the archive's key
     * @return the archive, or {@code null} where CDS cannot be used (a directory on the classpath, archives off,
     * an agent or a flight recording in the JVMs)
     */
    public static CdsArchive forClasspath(String classpath, String kind, List<String> jvmOptions) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) || unfitForArchive(jvmOptions, System::getenv)) {
            return null;
        }
        try {
            StringBuilder key = new StringBuilder().append(kind).append('\n').append(System.getProperty("java.home"))
                    .append('\n').append(System.getProperty("java.vm.version")).append('\n').append(String.join("\n", jvmOptions))
                    .append('\n');
            for (String entry : classpath.split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                    return null;
                }
                key.append(entry).append('\n').append(Files.size(jar)).append('\n')
                        .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
            }
            Path directory = Path.of(System.getProperty("user.home"), ".cache", "procpool", "cds");
            Files.createDirectories(directory);
            return new CdsArchive(directory.resolve(name(key) + ".jsa"));
        } catch (IOException | RuntimeException e) {
            return null; // no archive is only slower
        }
    }

    /**
     * Some JVMs must get no archive. A JVM that writes one exits at start with an agent, native or Java ("CDS
     * dumping does not support native JVMTI agent"), so a pool whose workers run a debugger or a profiler would never
     * start its first worker; and it runs without the flight recording asked of it ("JFR will be disabled during CDS
     * dumping"). Agents come as {@code -agentlib:}, {@code -agentpath:}, {@code -javaagent:} or the old
     * {@code -Xrun}, in the options, in an argument file they name ({@code @file}: one that cannot be read counts as
     * holding one) or in the environment the workers inherit.
     *
     * @param jvmOptions  the JVMs' own options
     * @param environment the environment's variables by name ({@code System::getenv})
     * @return whether the JVMs would run an agent or a flight recording
     */
    static boolean unfitForArchive(List<String> jvmOptions, java.util.function.Function<String, String> environment) {
        List<String> sources = new java.util.ArrayList<>();
        for (String option : jvmOptions) {
            sources.add(option);
            if (option.startsWith("@")) {
                try {
                    sources.add(Files.readString(Path.of(option.substring(1))));
                } catch (IOException | RuntimeException e) {
                    return true;
                }
            }
        }
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            String value = environment.apply(variable);
            if (value != null) {
                sources.add(value);
            }
        }
        for (String source : sources) {
            for (String marker : List.of("-agentpath:", "-agentlib:", "-javaagent:", "-Xrun",
                    "-XX:StartFlightRecording")) {
                if (source.contains(marker)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Names an archive by a 128-bit hash of its key (two 64-bit hashes with different multipliers, each finished by
     * MurmurHash3's mix), as 32 hex digits. Not a cryptographic digest on purpose: SHA-256's first use costs about
     * 40 ms of a JVM's first pool here, and a collision could only hand a JVM an archive that it checks against its
     * class path and JDK and refuses.
     */
    static String name(CharSequence key) {
        long h1 = 0xcbf29ce484222325L;
        long h2 = 0x84222325cbf29ce4L;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            h1 = (h1 ^ c) * 0x100000001b3L;
            h2 = (h2 + c) * 0x9e3779b97f4a7c15L;
        }
        return hex(mix(h1 ^ key.length())) + hex(mix(h2));
    }

    /** 16 hex digits, without {@code String.format}, whose first use also costs a cold JVM a few milliseconds. */
    private static String hex(long value) {
        String digits = Long.toHexString(value);
        return "0".repeat(16 - digits.length()) + digits;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * Keeps the cache bounded: drops what writers that are gone left half-written, archives unused for a month,
     * and then the least recently used archives until the rest fit in {@code maxBytes}. A rebuilt jar makes a new
     * archive each time, so without a cap the cache would grow with every build.
     */
    static void prune(Path directory, long maxBytes, long nowMillis) throws IOException {
        prune(directory, ".jsa", maxBytes, nowMillis);
    }

    /**
     * Keeps a cache of files ending in {@code suffix} bounded the same way (see the other {@code prune}).
     *
     * @param directory the cache
     * @param suffix    the cached files' suffix; {@code <name><suffix>.<pid>.tmp} is one being written
     * @param maxBytes  the cache's size at most
     * @param nowMillis the time now
     * @throws IOException if the cache cannot be listed
     */
    static void prune(Path directory, String suffix, long maxBytes, long nowMillis) throws IOException {
        List<Path> archives = new java.util.ArrayList<>();
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".tmp") && writerIsGone(name)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(suffix)) {
                    archives.add(file);
                }
            }
        }
        archives.sort(java.util.Comparator.comparingLong(CdsArchive::lastUsedMillis).reversed());
        long kept = 0;
        for (Path archive : archives) {
            long size = Files.size(archive);
            if (nowMillis - lastUsedMillis(archive) > UNUSED_FOR_MILLIS || kept + size > maxBytes) {
                Files.deleteIfExists(archive);
            } else {
                kept += size;
            }
        }
    }

    /** {@code <hash>.jsa.<pid>.tmp}: whether the process that was writing it has gone. */
    private static boolean writerIsGone(String name) {
        String[] parts = name.split("\\.");
        try {
            long pid = Long.parseLong(parts[parts.length - 2]);
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return true;
        }
    }

    private static long lastUsedMillis(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * {@return the JVM options for the next JVM, and whether it is the one writing the archive}: the options that map
     * the archive if it exists, else those that write it if no other JVM is writing it, else none. For JVMs that must
     * write the archive themselves (a cluster's members); a pool's workers leave it to a JVM of its own
     * ({@link #readOptions()}, {@link #claimWrite()}).
     */
    public Options nextWorker() {
        List<String> read = readOptions();
        if (!read.isEmpty()) {
            return new Options(read, false);
        }
        List<String> write = claimWrite();
        return write.isEmpty() ? new Options(List.of(), false) : new Options(write, true);
    }

    /**
     * {@return the JVM options that map the archive, or none if it has not been written}; marks the archive as used,
     * for the cache's pruning.
     */
    public List<String> readOptions() {
        if (Files.isRegularFile(archive)) {
            archive.toFile().setLastModified(System.currentTimeMillis());
            return List.of("-XX:SharedArchiveFile=" + archive, QUIET);
        }
        return List.of();
    }

    /**
     * Whether a process is a JVM that writes a pool's class-data archive: it runs the workers' main class, and a
     * pool starts one beside its workers where no archive exists yet, but it is no worker (it runs no task, and
     * exits by itself or with its pool). For tools and tests that count a pool's workers among its child processes.
     *
     * @param process a process, a pool's child for instance
     * @return whether its command line writes an archive as it exits
     */
    public static boolean isWriter(ProcessHandle process) {
        return process.info().commandLine().orElse("").contains(WRITE_OPTION);
    }

    /**
     * Claims the writing of the archive, if it does not exist, no JVM started from this JVM is writing it, and this
     * JVM has not given it up ({@link #giveUp()}).
     *
     * @return the JVM options that write it as the JVM exits, or none if it need not or may not be written now; after
     * options, {@link #writerExited(boolean)} must follow
     */
    public synchronized List<String> claimWrite() {
        if (Files.isRegularFile(archive) || claimed || GIVEN_UP.contains(archive) || !CLAIMED.add(archive)) {
            return List.of();
        }
        claimed = true;
        // The cache grows only here, by the archive about to be written: bound it now, not on every pool's
        // start (listing it costs a JVM's first pool some milliseconds).
        try {
            prune(archive.getParent(), MAX_CACHE_BYTES, System.currentTimeMillis());
        } catch (IOException e) {
            // An unpruned cache is only larger.
        }
        return List.of(WRITE_OPTION + inProgress, QUIET);
    }

    /**
     * This JVM starts no writer for this archive again: its writer had to be killed before it was done, on a machine
     * too busy to let it run. Another JVM (the program's next run) tries again.
     */
    public void giveUp() {
        GIVEN_UP.add(archive);
    }

    /**
     * The JVM writing the archive ended: keep the archive if it exited normally (the JVM writes it then),
     * otherwise drop what it left and let a later JVM try again.
     *
     * @param normally whether it exited by itself or on SIGTERM, not killed or crashed
     */
    public synchronized void writerExited(boolean normally) {
        try {
            if (normally && Files.isRegularFile(inProgress) && Files.size(inProgress) > 0) {
                Files.move(inProgress, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(inProgress);
            }
        } catch (IOException e) {
            inProgress.toFile().delete();
        } finally {
            claimed = false;
            CLAIMED.remove(archive);
        }
    }

    /**
     * JVM options for one JVM.
     *
     * @param jvmOptions    the options that map the archive, or write it at exit
     * @param writesArchive whether this JVM writes it, and so must be reported by {@link #writerExited(boolean)}
     */
    public record Options(List<String> jvmOptions, boolean writesArchive) {
    }
}
