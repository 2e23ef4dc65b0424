package io.procpool.launcher;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The classpath a worker gets, so that the worker can load every class a task uses: this JVM's
 * {@code java.class.path}, and the URLs of the class loaders between the pool's creator and the system loader.
 * Programs that run on a class loader of their own ({@code mvn exec:java}, a servlet container, a plugin host, a
 * test runner with an isolated loader) have their classes there, not on {@code java.class.path}. Jars whose manifest
 * lists a {@code Class-Path} (Surefire's manifest-only booter jar, an executable jar with its libraries beside it)
 * are followed, so the worker's classpath does not depend on a temporary jar outliving this JVM.
 */
final class Classpath {
    private Classpath() {
    }

    private static volatile String ofSystemLoader;

    /**
     * @param loader the loader the pool's tasks come from: the creating thread's context class loader
     * @return the classpath for workers
     * @throws io.procpool.PoolException if procpool's own classes are on no classpath this can read
     */
    static String forWorkers(ClassLoader loader) {
        if (loader == null || loader == ClassLoader.getSystemClassLoader()) {
            String classpath = ofSystemLoader;
            if (classpath == null) {
                classpath = compute(null);
                ofSystemLoader = classpath;
            }
            return classpath;
        }
        return compute(loader);
    }

    private static String compute(ClassLoader loader) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                add(Path.of(entry).toAbsolutePath(), entries);
            }
        }
        for (ClassLoader l = loader; l != null && l != ClassLoader.getSystemClassLoader(); l = l.getParent()) {
            if (l instanceof URLClassLoader) {
                for (URL url : ((URLClassLoader) l).getURLs()) {
                    Path path = fileOf(url);
                    if (path != null) {
                        add(path, entries);
                    }
                }
            }
        }
        Path worker = codeSourceOf(io.procpool.worker.WorkerMain.class);
        if (worker == null || !entries.contains(worker.toString())) {
            throw new io.procpool.PoolException("cannot tell workers where procpool's classes are: "
                    + io.procpool.worker.WorkerMain.class.getName() + " was loaded by "
                    + io.procpool.worker.WorkerMain.class.getClassLoader() + ", which is not a URLClassLoader "
                    + "and not on java.class.path " + (worker == null ? "" : "(it came from " + worker + ")")
                    + "; start the program with procpool and the application on the class path (java -cp), or "
                    + "create the pool on a thread whose context class loader is a URLClassLoader holding them");
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * {@return whether a worker with {@code classpath} can load the classes of {@code loader} (the loader of a
     * task's class, or of a lambda's capturing class): the JDK's and the system loader's, or a URLClassLoader chain
     * whose every file is on it}
     */
    static boolean covers(String classpath, ClassLoader loader) {
        Set<String> entries = Set.of(classpath.split(File.pathSeparator));
        for (ClassLoader l = loader; l != null && l != ClassLoader.getSystemClassLoader()
                && l != ClassLoader.getPlatformClassLoader(); l = l.getParent()) {
            if (!(l instanceof URLClassLoader)) {
                return false;
            }
            for (URL url : ((URLClassLoader) l).getURLs()) {
                Path path = fileOf(url);
                if (path == null || !entries.contains(path.toString())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Path codeSourceOf(Class<?> type) {
        java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? null : fileOf(source.getLocation());
    }

    private static Path fileOf(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return Path.of(url.toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void add(Path entry, Set<String> entries) {
        if (!entries.add(entry.toString())) {
            return;
        }
        if (!Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) {
                return;
            }
            URI base = entry.toUri();
            for (String reference : classPath.trim().split("\\s+")) {
                if (reference.isEmpty()) {
                    continue;
                }
                try {
                    Path resolved = Path.of(base.resolve(reference));
                    if (Files.exists(resolved)) {
                        add(resolved, entries);
                    }
                } catch (IllegalArgumentException e) {
                    // Not a file URI: the JVM would ignore it too.
                }
            }
        } catch (IOException e) {
            // Not a readable jar: pass it on as it is, the worker's JVM will judge it as ours did.
        }
    }
}
