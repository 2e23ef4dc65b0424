package io.procpool.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever SLF4J provider an application has, a pool's JVMs print nothing of Chronicle's below WARN: the workers
 * print what their tasks print, and the parent prints what the application prints. Each test runs a parent JVM on
 * the tests' class path with slf4j-simple swapped for another provider, whose jars Surefire names in a system
 * property (they are kept off the tests' own class path).
 */
class LoggingProvidersTest {
    private static final String LOGBACK_DEBUG_ROOT = "<configuration><appender name=\"out\" "
            + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%level %logger %msg%n</pattern>"
            + "</encoder></appender>CHRONICLE<root level=\"DEBUG\"><appender-ref ref=\"out\"/></root></configuration>";

    @TempDir
    Path temp;

    @Test
    void shouldKeepAPoolQuietUnderLogbacksDefaultConfiguration() throws Exception {
        List<String> lines = run("procpool.test.logback", List.of());
        assertOnlyTheTasksLines(lines, List.of());
    }

    @Test
    void shouldKeepTheApplicationsLogbackConfigurationForItsOwnLoggers() throws Exception {
        Path config = Files.writeString(temp.resolve("logback.xml"), LOGBACK_DEBUG_ROOT.replace("CHRONICLE", ""));
        List<String> lines = run("procpool.test.logback",
                List.of("-Dlogback.configurationFile=" + config, "-Dapp.log=true"));
        // The task's DEBUG line shows the workers read the application's file; Chronicle's stay below WARN.
        assertOnlyTheTasksLines(lines, List.of("DEBUG app.task logged 1", "DEBUG app.task logged 2"));
    }

    @Test
    void shouldLeaveChroniclesLevelToAConfigurationThatNamesIt() throws Exception {
        Path config = Files.writeString(temp.resolve("logback.xml"),
                LOGBACK_DEBUG_ROOT.replace("CHRONICLE", "<logger name=\"net.openhft\" level=\"INFO\"/>"));
        List<String> lines = run("procpool.test.logback", List.of("-Dlogback.configurationFile=" + config));
        assertTrue(lines.stream().anyMatch(l -> !Workers.fromWorker(l) && l.startsWith("INFO net.openhft.")),
                "the parent should log Chronicle's INFO lines as configured: " + String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> Workers.fromWorker(l) && l.contains("] INFO net.openhft.")),
                "so should the workers: " + String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("DEBUG net.openhft.")), String.join("\n", lines));
    }

    @Test
    void shouldKeepAPoolQuietUnderLog4j2LoggingDebugFromTheRoot() throws Exception {
        Path config = Files.writeString(temp.resolve("log4j2.xml"), "<Configuration><Appenders><Console name=\"out\">"
                + "<PatternLayout pattern=\"%p %c %m%n\"/></Console></Appenders><Loggers><Root level=\"debug\">"
                + "<AppenderRef ref=\"out\"/></Root></Loggers></Configuration>");
        List<String> lines = run("procpool.test.log4j2",
                List.of("-Dlog4j2.configurationFile=" + config, "-Dapp.log=true"));
        assertOnlyTheTasksLines(lines, List.of("DEBUG app.task logged 1", "DEBUG app.task logged 2"));
    }

    @Test
    void shouldKeepAPoolQuietUnderJavaUtilLogging() throws Exception {
        assertOnlyTheTasksLines(run("procpool.test.jul", List.of()), List.of());
    }

    @Test
    void shouldKeepAPoolQuietUnderSlf4jSimple() throws Exception {
        assertOnlyTheTasksLines(run(null, List.of()), List.of());
    }

    /**
     * The worker prints "task 1" and "task 2", and the task's own log lines if any;
     * the parent prints "done", and nothing else is printed by either.
     */
    private static void assertOnlyTheTasksLines(List<String> lines, List<String> taskLogLines) {
        String all = String.join("\n", lines);
        List<String> fromWorkers = new ArrayList<>();
        List<String> fromParent = new ArrayList<>();
        for (String line : lines) {
            if (Workers.fromWorker(line)) {
                fromWorkers.add(line.substring(line.indexOf("] ") + 2));
            } else {
                fromParent.add(line);
            }
        }
        List<String> expected = new ArrayList<>(taskLogLines);
        expected.addAll(List.of("task 1", "task 2"));
        assertEquals(expected.stream().sorted().toList(), fromWorkers.stream().sorted().toList(),
                "workers print nothing but what tasks print:\n" + all);
        assertEquals(List.of("done"), fromParent, "the parent prints nothing of its own:\n" + all);
    }

    /**
     * Runs {@link LoggingProgram} with the provider whose jars the system property {@code provider} names (slf4j-simple
     * if null) and the options.
     *
     * @return every line it printed, once it has exited with status 0
     */
    private static List<String> run(String provider, List<String> jvmOptions) throws Exception {
        List<String> entries = Arrays.stream(Classpath.forWorkers(null).split(File.pathSeparator))
                .collect(Collectors.toCollection(ArrayList::new));
        if (provider != null) {
            String jars = System.getProperty(provider);
            assertTrue(jars != null && !jars.contains("${"), "Surefire should set " + provider + ": " + jars);
            entries.removeIf(entry -> entry.contains("slf4j-simple"));
            entries.addAll(List.of(jars.split(File.pathSeparator)));
        }
        // A short program, the first on its class path: its pool would start a JVM to write the class-data archive,
        // which a busy machine (a test run) does not let run, and close() would wait out its grace. Not this test's
        // subject (ArchiveWriterTest's).
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-D" + CdsArchive.PROPERTY + "=false");
        Process parent = Workers.startJvm(options, String.join(File.pathSeparator, entries), LoggingProgram.class);
        List<String> lines;
        try (java.io.BufferedReader out = parent.inputReader()) {
            lines = out.lines().toList();
        }
        assertEquals(0, parent.waitFor(), String.join("\n", lines));
        return lines;
    }
}
