package io.procpool.benchmarks;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The benchmarks use procpool through its API, and pool-worker's serialisers, which they measure on their own. The
 * library's own layering is stated in pool-cluster's ArchitectureTest.
 */
@AnalyzeClasses(packages = "io.procpool.benchmarks", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** No module but pool-launcher and pool-cluster reaches the launcher's internals (the core). */
    @ArchTest
    static final ArchRule usesNoLauncherInternals = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.procpool.launcher.internal..");

    /** pool-api's call machinery is for the pools. */
    @ArchTest
    static final ArchRule usesNoApiInternals = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.procpool.internal..");

    /** Of pool-worker's internals, only the serialisers, which the serialisation benchmark measures directly. */
    @ArchTest
    static final ArchRule usesOnlyTheWorkersSerialisers = noClasses()
            .should().dependOnClassesThat(resideInAPackage("io.procpool.worker.internal..")
                    .and(not(resideInAPackage("io.procpool.worker.internal.serial..")))
                    .as("are pool-worker internals other than serial"));
}
