package io.procpool.fatjar;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The fat-jar application uses procpool through its API only. The library's own layering is stated in pool-
 * cluster's ArchitectureTest.
 */
@AnalyzeClasses(packages = "io.procpool.fatjar", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** No module but pool-launcher and pool-cluster reaches the launcher's internals (the core). */
    @ArchTest
    static final ArchRule usesNoLauncherInternals = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.procpool.launcher.internal..");

    /** pool-api's call machinery is for the pools. */
    @ArchTest
    static final ArchRule usesNoApiInternals = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.procpool.internal..");

    /** pool-worker's internals are for the two sides of a process boundary. */
    @ArchTest
    static final ArchRule usesNoWorkerInternals = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.procpool.worker.internal..");
}
