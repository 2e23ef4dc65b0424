package io.procpool.launcher;

import io.procpool.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool starts, and behaves, wherever and however a Java program starts. */
class WhereProgramsRunTest {
    /** An application as {@code mvn exec:java} or a servlet container runs it: on a class loader of its own. */
    private static final String PROGRAM = String.join("\n",
            "package app;",
            "import io.procpool.launcher.ProcessPool;",
            "import java.util.List;",
            "public class Program implements java.util.concurrent.Callable<Object> {",
            "    public Object call() {",
            "        try (ProcessPool pool = ProcessPool.create(1)) {",
            "            return pool.map((Integer i) -> i * 10, List.of(1, 2, 3));",
            "        }",
            "    }",
            "}");

    @TempDir
    Path temp;

    @Test
    void shouldGiveWorkersTheClassPathOfTheApplicationsOwnClassLoader() throws Exception {
        Path classes = compile(PROGRAM, "app/Program.java");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()},
                getClass().getClassLoader())) {
            assertEquals(List.of(10, 20, 30), runAs(loader, loader.loadClass("app.Program")));
        }
    }

    @Test
    void shouldNameTheClassLoaderWhoseClassesWorkersCannotGet() throws Exception {
        Path classes = compile(PROGRAM, "app/Program.java");
        // Not a URLClassLoader: nothing says where its classes come from.
        ClassLoader opaque = new ClassLoader("opaque-plugin-loader", getClass().getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                try {
                    byte[] bytes = Files.readAllBytes(classes.resolve(name.replace('.', '/') + ".class"));
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        };
        InvocationTargetException e = org.junit.jupiter.api.Assertions.assertThrows(
                InvocationTargetException.class, () -> runAs(opaque, opaque.loadClass("app.Program")));
        SerializationException failure = assertInstanceOf(SerializationException.class, e.getCause());
        assertTrue(failure.getMessage().contains("opaque-plugin-loader")
                && failure.getMessage().contains("context class loader"), failure.getMessage());
    }

    @Test
    void shouldPassTheParentsSystemPropertiesAndAShareOfMemoryToEachWorker() throws Exception {
        List<String> lines = runToEnd(Workers.startJvm(List.of("-Dapp.mode=prod"), InheritanceProgram.class));
        assertEquals("done", lines.get(lines.size() - 1), String.join("\n", lines));
        long ram = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        List<String> workers = lines.stream().filter(l -> l.startsWith("mode=")).toList();
        assertEquals(3, workers.size(), String.join("\n", lines));
        for (String line : workers) {
            assertTrue(line.startsWith("mode=prod "), "a task should see the parent's -D property: " + line);
            long heap = Long.parseLong(line.substring(line.indexOf("heap=") + 5));
            // Three workers share half the memory: a sixth each, where the JVM's own default is a quarter.
            assertTrue(heap <= ram / 6 + (ram >> 8), "a worker's default heap should be its share: " + heap
                    + " of " + ram + " bytes");
        }
    }

    @Test
    void shouldKeepWorkersQuietWithoutAnSlf4jProvider() throws Exception {
        String withoutProvider = java.util.Arrays.stream(Classpath.forWorkers(null).split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> lines = runToEnd(Workers.startJvm(List.of(), withoutProvider, InheritanceProgram.class));
        List<String> fromWorkers = lines.stream().filter(Workers::fromWorker).toList();
        assertEquals(List.of(), fromWorkers, "workers print nothing but what tasks print");
        assertEquals(4, lines.stream().filter(l -> l.startsWith("mode=") || l.equals("done")).count(),
                String.join("\n", lines));
    }

    @Test
    void shouldRefuseSeveralJvmOptionsInOneString() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().jvmOptions("-Xmx256m -Xss2m"));
        assertTrue(e.getMessage().contains("jvmOptions(\"-Xmx256m\", \"-Xss2m\")"), e.getMessage());
        // One option with a space in its value is still one option.
        ProcessPool.builder().jvmOptions("-Dgreeting=hello world");
    }

    /** @return every line a parent JVM printed, once it has exited with status 0 */
    private static List<String> runToEnd(Process parent) throws Exception {
        List<String> lines;
        try (java.io.BufferedReader out = parent.inputReader()) {
            lines = out.lines().toList();
        }
        assertEquals(0, parent.waitFor(), String.join("\n", lines));
        return lines;
    }

    /** Runs the program's {@code call()} with its loader as the thread's context class loader, as hosts do. */
    private static Object runAs(ClassLoader loader, Class<?> program) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Object instance = program.getConstructor().newInstance();
            return Callable.class.getMethod("call").invoke(instance);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private Path compile(String source, String path) throws IOException {
        Path sources = temp.resolve("src");
        Path file = sources.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        Path classes = temp.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status = compiler.run(null, null, null, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertEquals(0, status, "the test program should compile");
        return classes;
    }

    @Test
    void shouldNotMultiplyWorkersWhenThePoolIsInAStaticFieldOfTheTasksClass() {
        try {
            Set<Long> workers = new HashSet<>(StaticPoolProgram.pids(20));
            assertEquals(2, workers.size(), "both workers should run items: " + workers);
            // Each worker loaded StaticPoolProgram, and with it made a pool of its own: it must not have started.
            // The JVM writing the pool's class-data archive, where there is none yet, is no worker: it is left out.
            long descendants = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .filter(process -> !CdsArchive.isWriter(process)).count();
            assertEquals(2, descendants, "JVMs below this one: only the pool's own two workers");
            // A worker's copy of the pool works when it is used: it starts its workers then.
            assertEquals(List.of(1, 4, 9), StaticPoolProgram.nestedSquares());
        } finally {
            StaticPoolProgram.POOL.close();
        }
    }
}
