package io.procpool.cluster;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.procpool.launcher.CdsArchive;
import io.procpool.launcher.ChildExecutor;
import io.procpool.launcher.ChildJvms;
import io.procpool.launcher.ProcessPool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The layering of the library's modules, as rules over their main classes (pool-cluster's tests see every library
 * module). Each package belongs to one module: pool-api is {@code io.procpool} and {@code io.procpool.internal},
 * pool-worker {@code io.procpool.worker..}, pool-launcher {@code io.procpool.launcher..}, pool-cluster
 * {@code io.procpool.cluster..}. The examples, benchmarks and fat-jar test check their own classes the same way.
 *
 * <p>The allowed uses of another module's internals are what the code needs today, listed so that a new reach fails
 * here and is a decision, not an accident.
 */
@AnalyzeClasses(packages = "io.procpool", importOptions = {ImportOption.DoNotIncludeTests.class,
        ArchitectureTest.DoNotIncludeTestJars.class, ImportOption.DoNotIncludePackageInfos.class})
class ArchitectureTest {
    private static final String[] API = {"io.procpool", "io.procpool.internal.."};
    private static final String API_INTERNAL = "io.procpool.internal..";
    private static final String WORKER = "io.procpool.worker..";
    private static final String WORKER_INTERNAL = "io.procpool.worker.internal..";
    private static final String LAUNCHER = "io.procpool.launcher..";
    private static final String LAUNCHER_INTERNAL = "io.procpool.launcher.internal..";
    private static final String CORE = "io.procpool.launcher.internal.core..";
    private static final String CLUSTER = "io.procpool.cluster..";

    /**
     * (a) pool-api has no dependencies: the JDK (its JMX bean included), and Error Prone's annotations, which no
     * class reads at run time; and its metrics package, where only PoolMetrics names Micrometer
     * (MicrometerIsOptionalTest).
     */
    @ArchTest
    static final ArchRule apiDependsOnNothingButTheJdk = classes().that().resideInAnyPackage(API)
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "javax.management..", "io.procpool", "io.procpool.metrics", API_INTERNAL,
                    "com.google.errorprone.annotations..")
            .because("pool-api depends on nothing (@GuardedBy has CLASS retention: compile-time only)");

    /** (b) The core is transport-neutral: no Chronicle, Hazelcast or Commons Exec, not even through a helper. */
    @ArchTest
    static final ArchRule coreKnowsNoTransport = noClasses().that().resideInAPackage(CORE)
            .should().transitivelyDependOnClassesThat().resideInAnyPackage(
                    "net.openhft..", "com.hazelcast..", "org.apache.commons.exec..")
            .because("the core sees workers through SlotChannel only; a channel's transport lives beside it");

    /**
     * (c) pool-worker's internal packages, by the modules that may use them. pool-api may use none (rule (a)); the
     * core only what both sides speak (protocol) and how the core waits (runtime), not the transport.
     */
    @ArchTest
    static final ArchRule workerInternalsOnlyWhereAllowed = CompositeArchRule
            .of(workerInternals(LAUNCHER, "serial", "protocol", "transport", "runtime", "logging"))
            .and(workerInternals(CORE, "protocol", "runtime"))
            .and(workerInternals(CLUSTER, "serial", "protocol", "runtime", "logging"));

    /**
     * (c) pool-api's call machinery is shared by the pools, their metrics (which read the figures the JMX bean does)
     * and pool-worker's result decoding; no one else.
     */
    @ArchTest
    static final ArchRule apiInternalsOnlyForThePools = noClasses()
            .that().resideOutsideOfPackages(API[0], API_INTERNAL, LAUNCHER, CLUSTER, "io.procpool.metrics",
                    "io.procpool.worker.internal.protocol")
            .should().dependOnClassesThat().resideInAPackage(API_INTERNAL);

    /** (d) No module but pool-launcher and pool-cluster reaches the launcher's internals (the core). */
    @ArchTest
    static final ArchRule launcherInternalsOnlyForThePools = noClasses()
            .that().resideOutsideOfPackages(LAUNCHER, CLUSTER)
            .should().dependOnClassesThat().resideInAPackage(LAUNCHER_INTERNAL);

    /**
     * (d) pool-cluster's uses of pool-launcher: the core's declared seam (its pool is the core over a Hazelcast
     * channel), ProcessPool (a member's worker JVMs), and to start member JVMs CdsArchive, ChildJvms and
     * ChildExecutor. Any other class is a new reach.
     */
    @ArchTest
    static final ArchRule clusterUsesOfTheLauncher = noClasses().that().resideInAPackage(CLUSTER)
            .should().dependOnClassesThat(resideInAPackage(LAUNCHER)
                    .and(not(resideInAPackage("io.procpool.launcher.internal.core..")))
                    .and(not(belongToAnyOf(ProcessPool.class, CdsArchive.class, ChildJvms.class,
                            ChildExecutor.class))))
            .because("pool-cluster reaches pool-launcher through its API, the core's declared seam and the "
                    + "child-JVM start-up only");

    /** (e) pool-worker's surface: its main class and little else; the rest is internal. */
    @ArchTest
    static final ArchRule workerSurfaceIsSmall = classes()
            .that().resideInAPackage(WORKER).and().resideOutsideOfPackage(WORKER_INTERNAL).and().arePublic()
            .should(beAtMost(4)).because("what both sides of a process boundary share lives in internal packages");

    private static ArchRule workerInternals(String module, String... allowed) {
        String[] allowedPackages = Stream.of(allowed).map(p -> "io.procpool.worker.internal." + p + "..")
                .toArray(String[]::new);
        DescribedPredicate<JavaClass> notAllowed = resideInAPackage(WORKER_INTERNAL)
                .and(not(resideInAnyPackage(allowedPackages)));
        return noClasses().that().resideInAPackage(module)
                .should().dependOnClassesThat(notAllowed.as("are pool-worker internals other than " + List.of(allowed)));
    }

    private static ArchCondition<JavaClass> beAtMost(int max) {
        return new ArchCondition<>("be at most " + max + " types") {
            private final List<String> names = new ArrayList<>();

            @Override
            public void init(Collection<JavaClass> all) {
                names.clear();
                all.forEach(c -> names.add(c.getName()));
            }

            @Override
            public void check(JavaClass item, ConditionEvents events) {
            }

            @Override
            public void finish(ConditionEvents events) {
                if (names.size() > max) {
                    events.add(SimpleConditionEvent.violated(names, names.size() + " public types, more than " + max
                            + ": " + names));
                }
            }
        };
    }

    /** Leaves out other modules' test jars (in a reactor build past package, pool-api's and pool-worker's). */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }
}
