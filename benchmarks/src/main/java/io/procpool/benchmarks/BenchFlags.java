package io.procpool.benchmarks;

import java.util.List;

/**
 * The JVM flags Chronicle Queue needs, as compile-time constants so that {@code @Fork(jvmArgsAppend = ...)} can
 * name them: the JVMs JMH forks are started with {@code -cp}, so the Add-Opens and Add-Exports of the benchmarks
 * jar's manifest, which only {@code java -jar} reads, do not reach them. An annotation cannot read a Maven property,
 * so this is a copy of {@code procpool.jvmFlags} in the root pom; {@code BenchFlagsTest} fails the build when the
 * two drift apart.
 */
public final class BenchFlags {
    /** Chronicle reflects into {@code java.lang.reflect}. */
    public static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** Chronicle maps queue files through {@code sun.nio.ch}. */
    public static final String OPEN_NIO = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Chronicle unmaps queue files through {@code jdk.internal.ref}. */
    public static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";

    /** Every flag above, in the order of {@code procpool.jvmFlags}. */
    public static final List<String> ALL = List.of(OPEN_REFLECT, OPEN_NIO, EXPORT_REF);

    private BenchFlags() {
    }
}
