package io.procpool.launcher;

import io.procpool.worker.JvmFlags;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks written where people first try a pool run in workers: a single-file source program ({@code java Norms.java}),
 * a Java 25 compact source file, a jshell session. Their classes exist only in the parent's memory, and travel to the
 * workers by value, once per worker. The tools are started for real.
 */
class ScriptsTest {
    private static final long TOOL_TIMEOUT_SECONDS = 120;

    /**
     * A record and a captured local, both the script's own; results come back as the script's own class. The
     * initializer, the script's too, sets a static field of the script's class in each worker, which its tasks see.
     */
    private static final String NORMS = String.join("\n",
            "import io.procpool.launcher.ProcessPool;",
            "import java.util.List;",
            "",
            "public class Norms {",
            "    static int offset;",
            "",
            "    record Point(int x, int y) {",
            "        double norm() { return Math.sqrt(x * x + y * y); }",
            "    }",
            "",
            "    public static void main(String[] args) {",
            "        int scale = Integer.parseInt(args[0]);",
            "        try (ProcessPool pool = ProcessPool.builder().processes(2).initializer(() -> offset = 100)"
                    + ".build()) {",
            "            List<Point> points = pool.map(i -> new Point(i * scale + offset, i), List.of(1, 2, 3, 4), 1);",
            "            System.out.println(\"points \" + points + \" \" + (points.get(0).getClass() == Point.class));",
            "            System.out.println(\"norms \" + pool.map(Point::norm, List.of(new Point(3, 4), "
                    + "new Point(6, 8)), 1));",
            "        }",
            "    }",
            "}");

    /** The same as a compact source file (JEP 512): no class, an instance {@code main}. */
    private static final String COMPACT = String.join("\n",
            "import io.procpool.launcher.ProcessPool;",
            "",
            "record Point(int x, int y) {}",
            "",
            "void main() {",
            "    int scale = 3;",
            "    try (ProcessPool pool = ProcessPool.builder().processes(2).build()) {",
            "        List<Point> points = pool.map(i -> new Point(i * scale, i), List.of(1, 2, 3, 4), 1);",
            "        IO.println(\"points \" + points + \" \" + (points.get(0).getClass() == Point.class));",
            "    }",
            "}");

    /**
     * A session that maps, then redefines a method that a class of an earlier snippet calls (jshell redefines that
     * class in place: same name, new bytes) and the record (a class of a new name), and maps again. A top-level
     * variable is a static field of its snippet's class, which the worker never ran: the local {@code scale} is
     * captured instead.
     */
    private static final String SESSION = String.join("\n",
            "import io.procpool.launcher.ProcessPool;",
            "record Point(int x, int y) {}",
            "int bump(int v) { return v + 1; }",
            "Point make(int i) { return new Point(bump(i), i); }",
            "List<Point> first(ProcessPool pool, int scale) { return pool.map(i -> make(i * scale), "
                    + "List.of(1, 2, 3), 1); }",
            "var pool = ProcessPool.builder().processes(2).build();",
            "System.out.println(\"first \" + first(pool, 10));",
            "int bump(int v) { return v + 100; }",
            "System.out.println(\"bumped \" + first(pool, 10));",
            "record Point(int x, int y, int z) {}",
            "List<Point> second(ProcessPool pool, int scale) { return pool.map(i -> new Point(bump(i), i * scale, 7), "
                    + "List.of(1, 2), 1); }",
            "System.out.println(\"second \" + second(pool, 10));",
            "pool.close();",
            "/exit",
            "");

    /**
     * The programs here are short, and each is the first on its class path: its pool would start a JVM to write the
     * class-data archive, which a busy machine (a test run) does not let run, and each {@code close()} would wait out
     * its grace. Archives are not what these tests are about ({@code ArchiveWriterTest} is).
     */
    private static final String NO_ARCHIVE = "-D" + CdsArchive.PROPERTY + "=false";

    @TempDir
    Path temp;

    @Test
    void shouldRunASingleFileSourceProgramsLambdaOnItsRecordInWorkers() throws Exception {
        Path source = Files.writeString(temp.resolve("Norms.java"), NORMS);
        List<String> command = new ArrayList<>(List.of(javaHome().resolve("bin/java").toString(), "-cp", classPath()));
        command.addAll(JvmFlags.required());
        command.add(NO_ARCHIVE);
        command.add(ShortLivedJvms.QUICK_COMPILER_ONLY); // the program runs for a second or two
        command.addAll(List.of(source.toString(), "3"));
        String out = run(command);
        assertTrue(out.contains("points [Point[x=103, y=1], Point[x=106, y=2], Point[x=109, y=3], Point[x=112, y=4]] "
                + "true"), out);
        assertTrue(out.contains("norms [5.0, 10.0]"), out);
    }

    @Test
    void shouldRunACompactSourceFilesLambdaOnItsRecordInWorkers() throws Exception {
        Optional<Path> jdk25 = jdkAtLeast(25);
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 or later is installed");
        Path source = Files.writeString(temp.resolve("Norms.java"), COMPACT);
        List<String> command = new ArrayList<>(List.of(jdk25.get().resolve("bin/java").toString(), "-cp",
                classPath()));
        command.addAll(JvmFlags.required());
        command.add(NO_ARCHIVE);
        command.add(ShortLivedJvms.QUICK_COMPILER_ONLY);
        command.add(source.toString());
        String out = run(command);
        assertTrue(out.contains("points [Point[x=3, y=1], Point[x=6, y=2], Point[x=9, y=3], Point[x=12, y=4]] true"),
                out);
    }

    @Test
    void shouldRunAJshellSessionsLambdasInWorkersSeeingEachRedefinition() throws Exception {
        Path jshell = javaHome().resolve("bin/jshell");
        Assumptions.assumeTrue(Files.isExecutable(jshell), "this JDK has no jshell");
        Path script = Files.writeString(temp.resolve("session.jsh"), SESSION);
        List<String> command = new ArrayList<>(List.of(jshell.toString(), "--class-path", classPath()));
        for (String flag : JvmFlags.required()) {
            command.add("-R" + flag);
        }
        command.add("-R" + NO_ARCHIVE);
        // Both of jshell's JVMs, the one that compiles the snippets and the one that runs them, live a few seconds.
        command.add("-J" + ShortLivedJvms.QUICK_COMPILER_ONLY);
        command.add("-R" + ShortLivedJvms.QUICK_COMPILER_ONLY);
        command.add(script.toString());
        String out = run(command);
        assertTrue(out.contains("first [Point[x=11, y=10], Point[x=21, y=20], Point[x=31, y=30]]"), out);
        assertTrue(out.contains("bumped [Point[x=110, y=10], Point[x=120, y=20], Point[x=130, y=30]]"), out);
        assertTrue(out.contains("second [Point[x=101, y=10, z=7], Point[x=102, y=20, z=7]]"), out);
    }

    /** A program whose classes a loader of no file defines, as the source launcher's and jshell's do. */
    private static final String SHIPPED = String.join("\n",
            "package app;",
            "import io.procpool.launcher.ProcessPool;",
            "import java.util.List;",
            "import java.util.stream.IntStream;",
            "public class Shipped implements java.util.function.Function<ProcessPool, Object> {",
            "    public record Item(int value) {}",
            "    public Object apply(ProcessPool pool) {",
            "        int factor = 5;",
            "        List<Integer> items = IntStream.range(0, 40).boxed().toList();",
            "        return pool.map(i -> new Item(i * factor), items, 1);",
            "    }",
            "}");

    @Test
    void shouldSendInMemoryClassesOncePerWorkerNotPerTask() throws Exception {
        Path classes = compile(SHIPPED, "app/Shipped.java");
        ClassLoader memory = new InMemoryLoader(classes, getClass().getClassLoader());
        @SuppressWarnings("unchecked")
        Function<ProcessPool, Object> program = (Function<ProcessPool, Object>) memory.loadClass("app.Shipped")
                .getConstructor().newInstance();
        try (ProcessPool pool = ProcessPool.builder().processes(2).build()) {
            List<?> first = (List<?>) program.apply(pool);
            List<?> second = (List<?>) program.apply(pool);
            assertEquals(40, first.size());
            assertEquals("Item[value=195]", second.get(39).toString());
            assertSame(memory, first.get(0).getClass().getClassLoader(), "results are the program's own class");
            // app.Shipped and app.Shipped$Item, to each worker that ran a chunk: 80 chunks, at most 4 classes sent.
            long sent = pool.entry.classesSent();
            assertTrue(sent >= 2 && sent <= 4 && sent % 2 == 0, "classes sent: " + sent);
        }
    }

    @Test
    void shouldRefuseInMemoryClassesTheAllowListDoesNotName() throws Exception {
        Path classes = compile(SHIPPED, "app/Shipped.java");
        ClassLoader memory = new InMemoryLoader(classes, getClass().getClassLoader());
        @SuppressWarnings("unchecked")
        Function<ProcessPool, Object> program = (Function<ProcessPool, Object>) memory.loadClass("app.Shipped")
                .getConstructor().newInstance();
        try (ProcessPool pool = ProcessPool.builder().processes(1).allowClasses(ScriptsTest.class.getName())
                .build()) {
            io.procpool.SerializationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.procpool.SerializationException.class, () -> program.apply(pool));
            // Refused in the parent, before sending: not a worker's failure to read the function
            assertTrue(e.getMessage().contains("cannot send the class app.Shipped")
                    && e.getMessage().contains("only in this JVM's memory")
                    && e.getMessage().contains("allowClasses"), e.getMessage());
            assertEquals(List.of(2), pool.map((Integer i) -> i * 2, List.of(1)), "the pool stays usable");
        }
    }

    /** Defines classes from a directory and serves their bytes as resources, not being a URLClassLoader. */
    private static final class InMemoryLoader extends ClassLoader {
        private final Path classes;

        InMemoryLoader(Path classes, ClassLoader parent) {
            super("in-memory-test-loader", parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            try {
                byte[] bytes = Files.readAllBytes(classes.resolve(name.replace('.', '/') + ".class"));
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            Path file = classes.resolve(name);
            try {
                return Files.isRegularFile(file) ? new ByteArrayInputStream(Files.readAllBytes(file))
                        : super.getResourceAsStream(name);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private Path compile(String source, String path) throws IOException {
        Path file = temp.resolve("src").resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        Path classes = Files.createDirectories(temp.resolve("classes"));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status = compiler.run(null, null, null, "-d", classes.toString(), "-cp", classPath(), file.toString());
        assertEquals(0, status, "the test program should compile");
        return classes;
    }

    /** This JVM's class path with manifest-only jars followed: procpool and its dependencies, as workers get them. */
    private static String classPath() {
        return Classpath.forWorkers(null);
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** A JDK of at least {@code feature}: this one, or one installed beside it. */
    private static Optional<Path> jdkAtLeast(int feature) throws IOException {
        if (Runtime.version().feature() >= feature) {
            return Optional.of(javaHome());
        }
        Path installed = javaHome().getParent();
        if (installed == null || !Files.isDirectory(installed)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(installed)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> featureOf(home) >= feature)
                    .findFirst();
        }
    }

    /** {@return the JDK's feature version, from its {@code release} file; 0 if it has none} */
    private static int featureOf(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a JDK's home
        }
        return 0;
    }

    /** Runs a tool to its end, within a time limit, and returns what it printed; it must exit with 0. */
    private static String run(List<String> command) throws Exception {
        Path output = Files.createTempFile("procpool-script", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            process.getOutputStream().close();
            boolean ended = process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String out = Files.readString(output);
            // The tool and the script, not the class path, which would hide the output
            String tool = command.get(0) + " ... " + command.get(command.size() - 1);
            assertTrue(ended, "still running after " + TOOL_TIMEOUT_SECONDS + " s: " + tool + "\n" + out);
            assertEquals(0, process.exitValue(), tool + "\n" + out);
            return out;
        } finally {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            Files.deleteIfExists(output);
        }
    }
}
