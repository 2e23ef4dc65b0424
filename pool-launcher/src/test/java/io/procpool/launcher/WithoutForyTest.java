package io.procpool.launcher;

import io.procpool.worker.testing.ChildJvmOutput;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializers;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apache Fory is an optional dependency: an application without it runs Kryo pools as before, and one that picks
 * {@code FORY} without it is told, when it builds the pool, which dependency to add. The tests run a parent JVM on
 * the tests' class path less Fory's jars (fory-core, and Janino, which comes with it), whose paths Surefire names in
 * a system property; a class loader could not take them out of this JVM, which already has them.
 */
class WithoutForyTest {
    private static final long TIMEOUT_SECONDS = 120;

    /** Builds a FORY pool, then asks for a FORY serializer directly, and prints what each threw. */
    public static final class ForyProgram {
        public static void main(String[] args) {
            try (ProcessPool pool = ProcessPool.builder().processes(1).serialization(Serialization.FORY).build()) {
                System.out.println("built " + pool);
            } catch (PoolException e) {
                System.out.println("build() threw " + e.getClass().getName() + ": " + e.getMessage());
            }
            try {
                ValueSerializers.create(Serialization.FORY, ClassFilter.ALLOW_ALL, null);
                System.out.println("created a FORY serializer");
            } catch (PoolException e) {
                System.out.println("create() threw " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    /** Runs a map on a default (Kryo) pool, its workers started with the options given, and prints the results. */
    public static final class KryoProgram {
        public static void main(String[] workerOptions) {
            try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions(workerOptions).build()) {
                System.out.println("results " + pool.map((Integer i) -> i * i, List.of(1, 2, 3)));
            }
        }
    }

    @Test
    void shouldNameTheDependencyToAddWhenAForyPoolIsBuiltWithoutFory() throws Exception {
        List<String> lines = ChildJvmOutput.runToEnd(Workers.startJvm(List.of(), withoutFory(), ForyProgram.class),
                TIMEOUT_SECONDS);
        String all = String.join("\n", lines);
        String coordinates = "org.apache.fory:fory-core:" + foryVersion();
        for (String call : List.of("build()", "create()")) {
            String line = lines.stream().filter(l -> l.startsWith(call + " threw ")).findFirst()
                    .orElseThrow(() -> new AssertionError(call + " should have thrown a PoolException:\n" + all));
            assertTrue(line.startsWith(call + " threw " + PoolException.class.getName() + ": "), line);
            assertTrue(line.contains(coordinates), call + " should name " + coordinates + ": " + line);
        }
        assertFalse(all.contains("NoClassDefFoundError") || all.contains("ClassNotFoundException"), all);
    }

    @Test
    void shouldRunAKryoPoolWithoutFory() throws Exception {
        List<String> lines = ChildJvmOutput.runToEnd(Workers.startJvm(List.of(), withoutFory(), KryoProgram.class),
                TIMEOUT_SECONDS);
        assertEquals(List.of("results [1, 4, 9]"), lines);
    }

    @Test
    void shouldLoadNoForyClassUnlessForyIsChosen() throws Exception {
        // Fory on the class path this time: nothing of it may be loaded, in the parent or in its worker.
        String log = "-Xlog:class+load";
        List<String> lines = ChildJvmOutput.runToEnd(Workers.startJvm(List.of(log), KryoProgram.class, log),
                TIMEOUT_SECONDS);
        String all = String.join("\n", lines);
        assertTrue(lines.contains("results [1, 4, 9]"), all);
        // The log is there for both JVMs, so that finding no Fory class in it means something.
        assertTrue(lines.stream().anyMatch(l -> !Workers.fromWorker(l) && l.contains("KryoSerializer ")),
                "the parent's class log should show Kryo's serializer loaded:\n" + all);
        assertTrue(lines.stream().anyMatch(l -> Workers.fromWorker(l) && l.contains("KryoSerializer ")),
                "the worker's class log should show Kryo's serializer loaded:\n" + all);
        List<String> fory = lines.stream()
                .filter(l -> l.contains("org.apache.fory.") || l.contains("ForyValueSerializer")
                        || l.contains("org.codehaus.janino.") || l.contains("org.codehaus.commons.compiler."))
                .toList();
        assertEquals(List.of(), fory, "a Kryo pool should load no class of Fory's");
    }

    /** {@return this JVM's class path without fory-core and Janino, which are checked to be on it first} */
    private static String withoutFory() {
        String jars = System.getProperty("procpool.test.fory");
        assertTrue(jars != null && !jars.contains("${"), "Surefire should set procpool.test.fory: " + jars);
        List<Path> excluded = Arrays.stream(jars.split(File.pathSeparator)).map(WithoutForyTest::normal).toList();
        List<String> entries = new ArrayList<>(Arrays.asList(Classpath.forWorkers(null).split(File.pathSeparator)));
        for (Path jar : excluded) {
            assertTrue(entries.removeIf(entry -> normal(entry).equals(jar)), jar + " should be on the tests' class "
                    + "path, for the test to take it out: " + entries);
        }
        return entries.stream().collect(Collectors.joining(File.pathSeparator));
    }

    private static String foryVersion() {
        String version = System.getProperty("procpool.test.foryVersion");
        assertTrue(version != null && !version.contains("${"), "Surefire should set procpool.test.foryVersion");
        return version;
    }

    private static Path normal(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }
}
