package io.procpool.cluster;

import io.procpool.worker.testing.ChildJvmOutput;
import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.launcher.ChildJvms;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster pool that picks {@code FORY} in an application without Apache Fory (an optional dependency) fails in
 * {@code build()}, before it starts a member, naming the dependency to add. It runs in a JVM of its own on the tests'
 * class path less any jar of Fory's or Janino's.
 */
class ClusterPoolWithoutForyTest {
    private static final long TIMEOUT_SECONDS = 120;

    /** Builds a FORY cluster pool with one local member, and prints what happened. */
    public static final class ForyProgram {
        public static void main(String[] args) {
            try (ClusterPool pool = ClusterPool.builder().localMembers(1).workersPerMember(1)
                    .serialization(Serialization.FORY).build()) {
                System.out.println("built " + pool);
            } catch (PoolException e) {
                System.out.println("build() threw " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    @Test
    void shouldNameTheDependencyToAddWhenAForyPoolIsBuiltWithoutFory() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ChildJvms.javaExecutable().toString());
        command.add("-cp");
        command.add(withoutFory(ChildJvms.classpath()));
        command.addAll(ChildJvms.commonOptions());
        command.addAll(LocalMembers.HAZELCAST_FLAGS);
        command.add(ForyProgram.class.getName());
        List<String> lines = ChildJvmOutput.runToEnd(new ProcessBuilder(command).redirectErrorStream(true).start(),
                TIMEOUT_SECONDS);
        String all = String.join("\n", lines);
        String version = System.getProperty("procpool.test.foryVersion");
        assertTrue(version != null && !version.contains("${"), "Surefire should set procpool.test.foryVersion");
        String expected = "build() threw " + PoolException.class.getName() + ": ";
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(expected)
                && l.contains("org.apache.fory:fory-core:" + version)), all);
        assertTrue(lines.stream().noneMatch(l -> l.contains("NoClassDefFoundError")), all);
    }

    /** {@return the class path without fory-core, Janino and commons-compiler, if it has them} */
    private static String withoutFory(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> {
                    String name = Path.of(entry).getFileName().toString();
                    return !name.startsWith("fory-") && !name.startsWith("janino-")
                            && !name.startsWith("commons-compiler-");
                })
                .collect(Collectors.joining(File.pathSeparator));
    }
}
