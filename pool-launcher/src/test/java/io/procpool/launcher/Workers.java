package io.procpool.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Test helpers that look at worker processes from the outside. */
final class Workers {
    /** A line a worker wrote, as its pool passes it on: {@code [<pool> worker <n> pid <pid>] <line>}. */
    private static final Pattern WORKER_LINE = Pattern.compile("\\[[^\\]]+ worker \\d+ pid \\d+\\]( .*)?");
    /** The threads of a process pool that must not outlive it: its loop, and each worker's watcher and pumps. */
    private static final Pattern POOL_THREAD = Pattern.compile("procpool-.+-(loop|(watch|stdout|stderr)-\\d+)");

    private Workers() {
    }

    /** @return whether {@code line} is one a worker wrote, passed on by its pool with the worker's prefix */
    static boolean fromWorker(String line) {
        return WORKER_LINE.matcher(line).matches();
    }

    /** @return the live JVMs this test JVM started */
    static List<ProcessHandle> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    /** @return this JVM's queue directories that still exist */
    static List<Path> queueDirectories() {
        String prefix = "procpool-" + ProcessHandle.current().pid() + "-";
        try (var entries = Files.list(Path.of("/dev/shm"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the queue directories of the pools of process {@code pid} that still exist */
    static List<Path> queueDirectoriesOf(long pid) {
        String prefix = "procpool-" + pid + "-";
        try (var entries = Files.list(Path.of("/dev/shm"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a signal ({@code "STOP"}, {@code "CONT"}, {@code "KILL"}...) to a process with kill(1). */
    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted sending SIG" + signal + " to " + pid);
        }
    }

    /** @return the thread dump of another JVM, for a failure message; a note if it cannot be had */
    static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            return dump;
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /** @return the names of live threads that a process pool or Commons Exec started */
    static List<String> poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> POOL_THREAD.matcher(name).matches() || name.startsWith("Exec Default Executor")
                        || name.startsWith("Exec Stream Pumper") || name.startsWith("CommonsExec"))
                .collect(Collectors.toList());
    }

    /**
     * Has every one of a pool's workers run a task before a test times what follows: a worker's first task pays for
     * its set-up (its serialiser is built after it says READY), which on a loaded 2-core machine has taken over a
     * second. A test that times the notice of a crash through {@code imap}, which delivers in item order, would
     * otherwise time the other worker's first items too. Maps of one item per chunk until each worker's pid has
     * come back.
     *
     * @param pool    the pool, started
     * @param workers how many workers it has
     * @return their pids
     */
    static java.util.Set<Long> warmEveryWorker(io.procpool.Pool pool, int workers) {
        java.util.Set<Long> pids = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Integer> items = java.util.stream.IntStream.range(0, 4 * workers).boxed().collect(Collectors.toList());
        while (pids.size() < workers) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only the workers " + pids + " of " + workers + " ran a task in 60 s");
            }
            pids.addAll(pool.map((Integer i) -> ProcessHandle.current().pid(), items, 1));
        }
        return pids;
    }

    /** Waits for a condition that another process makes true, failing after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /**
     * Waits for a condition that another process makes true, failing after {@code timeout} with {@code state} (a
     * pool's stats, say) and the stacks of the pool's threads, so that a rare timeout says where it stood.
     */
    static void await(String what, Duration timeout, BooleanSupplier condition,
                      java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String said = state.get();
                throw new AssertionError("timed out after " + timeout + " waiting for " + what
                        + (said.isEmpty() ? "" : "; " + said + "; the pool's threads:" + poolThreadStacks()
                        + "\nthe child JVMs' threads:" + childJvmStacks()));
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5); // polling another process's state: there is nothing to be notified by
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** {@return the stacks of the live threads a pool started, a few frames each} */
    static String poolThreadStacks() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.isAlive() && thread.getName().startsWith("procpool-")) {
                out.append("\n  ").append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(12, stack.length); i++) {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    /** {@return each live child JVM's thread dump, as {@code jcmd} prints it: where a worker that never ended is} */
    static String childJvmStacks() {
        StringBuilder out = new StringBuilder();
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(child -> {
            String command = child.info().commandLine().orElse("?");
            out.append("\n--- pid ").append(child.pid()).append(' ')
                    .append(command, 0, Math.min(200, command.length()));
            try {
                Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(child.pid()), "Thread.print")
                        .redirectErrorStream(true).start();
                String text = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                out.append(dump.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) ? "\n" + text : " (jcmd hung)");
            } catch (IOException | InterruptedException | RuntimeException e) {
                out.append(" (no dump: ").append(e).append(')');
            }
        });
        return out.toString();
    }

    /** Waits until the file exists and holds a pid, and returns it. */
    static long awaitPid(Path file, Duration timeout) {
        await("a task to write its pid to " + file, timeout, () -> {
            try {
                return Files.exists(file) && !Files.readString(file).isBlank();
            } catch (IOException e) {
                return false;
            }
        });
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether a process still runs. A process that exited but that its parent has not reaped yet (a zombie, as an
     * orphaned worker is until the machine's init process reaps it) is not running, though ProcessHandle still
     * calls it alive.
     */
    static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return afterName.charAt(0) != 'Z';
        } catch (IOException | RuntimeException e) {
            return process.isAlive();
        }
    }

    /**
     * Starts a JVM of its own running {@code main}, as an application would be started from an IDE: a plain
     * classpath, this JVM's, with the flags Chronicle needs on the command line. Standard error goes to its
     * standard output.
     */
    static Process startJvm(Class<?> main, String... args) throws IOException {
        return startJvm(List.of(), main, args);
    }

    /** As {@link #startJvm(Class, String...)}, with more options for the JVM, such as {@code -Dapp.mode=prod}. */
    static Process startJvm(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        return startJvm(jvmOptions, Classpath.forWorkers(null), main, args);
    }

    /** As {@link #startJvm(List, Class, String...)}, on the given class path. */
    static Process startJvm(List<String> jvmOptions, String classpath, Class<?> main, String... args)
            throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(io.procpool.worker.JvmFlags.required());
        // What the README tells a parent on a newer JDK to add, so that its own start-up warnings about Kryo's and
        // Chronicle's native and Unsafe access do not mix with what the tests read from its output.
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add(ShortLivedJvms.QUICK_COMPILER_ONLY); // a test's program runs for a second or two
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * Reads lines until one starts with {@code prefix}, failing with what was read if the output ends first.
     *
     * @return that line
     */
    static String awaitLine(java.io.BufferedReader lines, String prefix) throws IOException {
        String line;
        List<String> seen = new java.util.ArrayList<>();
        while ((line = lines.readLine()) != null && !line.startsWith(prefix)) {
            seen.add(line);
        }
        if (line == null) {
            throw new AssertionError("the output ended before a line starting with '" + prefix + "': " + seen);
        }
        return line;
    }

    /**
     * Every outcome of an iterator: a result, or the {@link io.procpool.PoolException} its item failed with, and
     * when the first failure was seen ({@link System#nanoTime()}, 0 if none).
     */
    record Drained(List<Object> outcomes, long firstFailureNanos) {
    }

    /** Reads an iterator to its end, keeping failures as outcomes. */
    static Drained drain(java.util.Iterator<?> results) {
        List<Object> outcomes = new java.util.ArrayList<>();
        long firstFailure = 0;
        while (results.hasNext()) {
            try {
                outcomes.add(results.next());
            } catch (io.procpool.PoolException e) {
                if (firstFailure == 0) {
                    firstFailure = System.nanoTime();
                }
                outcomes.add(e);
            }
        }
        return new Drained(outcomes, firstFailure);
    }
}
