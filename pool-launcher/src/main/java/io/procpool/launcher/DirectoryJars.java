package io.procpool.launcher;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs the directories of a child JVM's class path into jars, cached by content, because class-data sharing accepts
 * only jars: without this, a program run from directories (an IDE, a build's tests, {@code mvn exec:java}) starts
 * every worker and member without an archive, about half again as slow. A directory's jar is named by a hash of the
 * directory's path and of each file's relative path, size and modification time, so a rebuilt class makes a new jar
 * (and a new archive); it is written to a temporary file and moved into place, so no JVM reads one half-written.
 * The jars live in {@code ~/.cache/procpool/classes}; those made over a month ago and the oldest beyond
 * {@value #MAX_CACHE_BYTES} bytes in all are deleted (a jar still in use is then made again, and its archive with it:
 * a jar's time is never changed once made, since the JVM checks it against the archive). The child loads the same class files as this JVM does, from
 * a jar. {@code -Dprocpool.cds=false} turns this off with the archives.
 */
final class DirectoryJars {
    /** The cache's size at most: a few builds' worth of an application's classes. */
    static final long MAX_CACHE_BYTES = 256L << 20;
    private static final String SUFFIX = ".jar";

    private DirectoryJars() {
    }

    /**
     * Returns {@code classpath} with each directory replaced by its jar and empty or missing directories left out;
     * {@code classpath} itself where packing is off or fails (a child JVM then starts without an archive, which is
     * only slower).
     *
     * @param classpath a class path, entries separated by the platform's separator
     * @return a class path of the same classes, in jars where this could make them
     */
    static String pack(String classpath) {
        if (!Boolean.parseBoolean(System.getProperty(CdsArchive.PROPERTY, "true"))) {
            return classpath;
        }
        try {
            List<String> entries = new ArrayList<>();
            Path cache = null;
            for (String entry : classpath.split(File.pathSeparator)) {
                Path path = Path.of(entry);
                if (!Files.isDirectory(path)) {
                    entries.add(entry);
                    continue;
                }
                if (cache == null) {
                    cache = Path.of(System.getProperty("user.home"), ".cache", "procpool", "classes");
                    Files.createDirectories(cache);
                    CdsArchive.prune(cache, SUFFIX, MAX_CACHE_BYTES, System.currentTimeMillis());
                }
                Path jar = jarOf(path.toAbsolutePath(), cache);
                if (jar != null) {
                    entries.add(jar.toString());
                }
            }
            return String.join(File.pathSeparator, entries);
        } catch (IOException | RuntimeException e) {
            return classpath;
        }
    }

    /** {@return the jar of {@code directory}'s files, made now if the cache has none; null if it has no files} */
    private static Path jarOf(Path directory, Path cache) throws IOException {
        List<Path> files = new ArrayList<>();
        MessageDigest digest = sha256();
        digest.update((directory + "\n").getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        if (files.isEmpty()) {
            return null;
        }
        for (Path file : files) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            digest.update((directory.relativize(file) + "\n" + attributes.size() + "\n"
                    + attributes.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path jar = cache.resolve(HexFormat.of().formatHex(digest.digest(), 0, 16) + SUFFIX);
        if (Files.isRegularFile(jar)) {
            // Not touched to mark it used: the JVM checks a jar's time against the class-data archive made with it.
            return jar;
        }
        Path partial = cache.resolve(jar.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try (OutputStream out = Files.newOutputStream(partial); JarOutputStream zip = new JarOutputStream(out)) {
            // Not compressed (deflate's level 0, which writes the bytes as they are): the jar never leaves this
            // machine, and compressing was most of packing's time (85 against 60 ms for procpool's own classes,
            // about a megabyte, in a scratch run here).
            zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            Set<String> written = new HashSet<>();
            for (Path file : files) {
                String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                addParents(zip, name, written);
                JarEntry entry = new JarEntry(name);
                entry.setTime(Files.getLastModifiedTime(file).toMillis());
                zip.putNextEntry(entry);
                Files.copy(file, zip);
                zip.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    /** Directory entries too, so that a resource lookup of a package's directory finds it, as in the directory. */
    private static void addParents(JarOutputStream zip, String name, Set<String> written) throws IOException {
        int slash = name.indexOf('/');
        while (slash > 0) {
            String parent = name.substring(0, slash + 1);
            if (written.add(parent)) {
                zip.putNextEntry(new JarEntry(parent));
                zip.closeEntry();
            }
            slash = name.indexOf('/', slash + 1);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
