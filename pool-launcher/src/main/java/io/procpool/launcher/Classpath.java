package io.procpool.launcher;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The classpath a worker gets: this JVM's own, so that the worker can load every class a task uses. Jars whose
 * manifest lists a {@code Class-Path} (Surefire's manifest-only booter jar, an executable jar with its libraries
 * beside it) are followed, so the worker's classpath does not depend on a temporary jar outliving this JVM.
 */
final class Classpath {
    private Classpath() {
    }

    private static volatile String cached;

    /** @return this JVM's classpath with manifest references followed; computed once, since it cannot change */
    static String ofThisJvm() {
        String classpath = cached;
        if (classpath == null) {
            classpath = compute();
            cached = classpath;
        }
        return classpath;
    }

    private static String compute() {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                add(Path.of(entry).toAbsolutePath(), entries);
            }
        }
        return String.join(File.pathSeparator, entries);
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
