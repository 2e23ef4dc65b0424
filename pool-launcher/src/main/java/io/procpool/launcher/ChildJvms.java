package io.procpool.launcher;

import io.procpool.worker.JvmFlags;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How procpool starts a JVM of its own, for procpool's other modules (a cluster pool's local members): the same
 * {@code java} and classpath as this JVM, the system properties it was started with, the flags Chronicle needs, and
 * SLF4J kept quiet where the application has no provider. Worker JVMs start the same way.
 */
public final class ChildJvms {
    private ChildJvms() {
    }

    /** {@return the {@code java} launcher of this JVM} */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Returns the classpath a child JVM needs to load every class the calling thread can: this JVM's class path and
     * those of the class loaders between the thread's context loader and the system loader.
     *
     * @return the classpath, entries separated by the platform's separator
     * @throws io.procpool.PoolException if procpool's own classes are on no classpath this can read
     */
    public static String classpath() {
        return Classpath.forWorkers(Thread.currentThread().getContextClassLoader());
    }

    /**
     * Returns {@link #classpath()} with its directories packed into jars, cached by content, so that a child JVM
     * started from it can map a class-data archive ({@link CdsArchive} takes only jars): the same classes.
     *
     * @return the class path to start a child JVM with
     */
    public static String launchClasspath() {
        return DirectoryJars.pack(classpath());
    }

    /**
     * Returns the options every child JVM gets, before the ones of its kind.
     *
     * @return this JVM's {@code -D} options, then the flags procpool needs on this Java version
     */
    public static List<String> commonOptions() {
        List<String> options = new ArrayList<>(InheritedOptions.systemProperties());
        options.addAll(JvmFlags.required());
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            // Chronicle's native helpers: allowed, without the JVM warning on every child's stderr.
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 23) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (!hasSlf4jProvider()) {
            // Without a provider SLF4J prints a three-line notice in every JVM: a child says nothing of its own.
            options.add("-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");
            options.add("-Dslf4j.internal.verbosity=WARN");
        }
        return options;
    }

    /**
     * Whether the application has an SLF4J provider, which child JVMs then share. The loader's stream names the
     * providers without making one: this runs before a pool's first worker is launched.
     */
    private static boolean hasSlf4jProvider() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return java.util.ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider.class,
                loader != null ? loader : ChildJvms.class.getClassLoader()).stream().findFirst().isPresent();
    }

    /**
     * Checks that this JVM has the flags Chronicle Queue needs, before a pool starts workers that would need them.
     *
     * @throws io.procpool.PoolException if it lacks any, naming them and the ways to pass them
     */
    static void checkParentJvm() {
        List<String> missing = JvmFlags.missing();
        if (!missing.isEmpty()) {
            throw new io.procpool.PoolException("this JVM lacks the flags Chronicle Queue needs: "
                    + String.join(" ", missing) + ". Pass them to java, e.g. `java "
                    + String.join(" ", JvmFlags.required()) + " ...`, or `java @jvm.args ...` with the file "
                    + JvmFlags.RESOURCE + " from the pool-worker jar, or in the JDK_JAVA_OPTIONS environment "
                    + "variable; for Maven Surefire add them to argLine; for an executable jar list them in "
                    + "the manifest as Add-Opens: java.base/java.lang.reflect java.base/sun.nio.ch and "
                    + "Add-Exports: java.base/jdk.internal.ref");
        }
    }
}
