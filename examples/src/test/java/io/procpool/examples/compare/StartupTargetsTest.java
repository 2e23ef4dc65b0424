package io.procpool.examples.compare;

import io.procpool.examples.compare.Results.ProbedStartup;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StartupTargetsTest {
    private static ProbedStartup row(String jdk, String classpath, Engine engine, double first, Double later) {
        return new ProbedStartup(jdk, Jdks.feature(jdk), classpath, engine, 3, first, later, null, null,
                List.of(first), later == null ? List.of() : List.of(later), List.of());
    }

    @Test
    void shouldJudgeEachTargetAgainstPp4jsFirstPoolOnTheSameJdkAndClassPath() {
        List<ProbedStartup> figures = List.of(
                row("17.0.15", StartupSuite.JAR, Engine.PROCESS_POOL, 700, 400.0),
                row("17.0.15", StartupSuite.JAR, Engine.PP4J, 1000, 300.0),
                row("17.0.15", StartupSuite.DIRECTORY, Engine.PROCESS_POOL, 1100, 1200.0),
                row("17.0.15", StartupSuite.DIRECTORY, Engine.PP4J, 1000, 300.0),
                // From jars, 0.9x is no slower than PP4J but misses the 0.8x target.
                row("25.0.3", StartupSuite.JAR, Engine.PROCESS_POOL, 900, 500.0),
                row("25.0.3", StartupSuite.JAR, Engine.PP4J, 1000, 300.0),
                // PP4J failed on this row: no ratio, and no verdict either way.
                row("25.0.3", StartupSuite.DIRECTORY, Engine.PROCESS_POOL, 800, 500.0));

        List<String> notes = Report.startupTargets(figures);

        assertEquals(List.of(
                "Target: procpool's first pool no slower than PP4J's from a directory class path (<= 1.00x):"
                        + " JDK 17.0.15 directory 1.10x MISSED.",
                "Target: procpool's first pool at most 0.8x PP4J's from jars (<= 0.80x): JDK 17.0.15 jar 0.70x met,"
                        + " JDK 25.0.3 jar 0.90x MISSED.",
                "Target: a later procpool pool in the same JVM no slower than PP4J's first (<= 1.00x):"
                        + " JDK 17.0.15 jar 0.40x met, JDK 17.0.15 directory 1.20x MISSED, JDK 25.0.3 jar 0.50x met."),
                notes);
    }

    @Test
    void shouldJudgeTheFirstRunAfterARebuildApartAgainstPp4jsFirstPoolFromTheSameJar() {
        List<ProbedStartup> figures = List.of(
                row("17.0.15", StartupSuite.JAR, Engine.PROCESS_POOL, 700, 400.0),
                row("17.0.15", StartupSuite.JAR, Engine.PP4J, 1000, 300.0),
                row("17.0.15", StartupSuite.REBUILT, Engine.PROCESS_POOL, 1150, 700.0),
                row("17.0.15", StartupSuite.REBUILT, Engine.PP4J, 1000, 300.0),
                row("25.0.3", StartupSuite.REBUILT, Engine.PROCESS_POOL, 1300, 700.0),
                row("25.0.3", StartupSuite.REBUILT, Engine.PP4J, 1000, 300.0));

        assertEquals("Target: procpool's first pool on the first run after the jar was rebuilt at most 1.2x PP4J's"
                + " (<= 1.20x): JDK 17.0.15 1.15x met, JDK 25.0.3 1.30x MISSED.", Report.rebuiltTarget(figures));
        assertEquals(List.of(
                "Target: procpool's first pool no slower than PP4J's from a directory class path (<= 1.00x):"
                        + " no figures in this run.",
                "Target: procpool's first pool at most 0.8x PP4J's from jars (<= 0.80x): JDK 17.0.15 jar 0.70x met.",
                "Target: a later procpool pool in the same JVM no slower than PP4J's first (<= 1.00x):"
                        + " JDK 17.0.15 jar 0.40x met."),
                Report.startupTargets(figures), "the rebuilt rows count for no other target");
    }

    @Test
    void shouldSayWhenARunHasNoFiguresForATarget() {
        List<String> notes = Report.startupTargets(List.of());

        assertEquals(3, notes.size());
        notes.forEach(note -> assertEquals(true, note.endsWith(": no figures in this run."), note));
    }
}
