package io.procpool.examples.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JDKs the start-up section runs its probes on: the one running the comparison and, by default, the newest one
 * installed beside it, found from the directories next to {@code java.home} rather than from any fixed path, so that
 * the same program finds them wherever a machine keeps its JDKs (a system directory, a version manager's, a user's).
 */
final class Jdks {
    /** The file every JDK since 9 (and most 8s) has at its root, naming its version. */
    private static final String RELEASE = "release";
    private static final String VERSION_KEY = "JAVA_VERSION=";

    /**
     * One JDK the probes can run on.
     *
     * @param home    its root, the directory with {@code release} and {@code bin/java}
     * @param version its {@code JAVA_VERSION}, e.g. {@code 25.0.3}
     * @param feature the feature release, e.g. 25 (8 for {@code 1.8.0_442})
     */
    record Jdk(Path home, String version, int feature) {
        /** {@return the {@code java} launcher of this JDK} */
        Path java() {
            return javaIn(home);
        }

        /** {@return how the tables name it: the version alone, which is what a reader compares} */
        String label() {
            return "JDK " + version;
        }
    }

    private Jdks() {
    }

    /**
     * Reads the JDK at {@code home}.
     *
     * @param home a directory that may be a JDK
     * @return the JDK, or empty where {@code home} has no {@code release} file naming a version or no {@code java}
     * launcher: then it is no JDK the probes could start
     */
    static Optional<Jdk> read(Path home) {
        Path release = home.resolve(RELEASE);
        if (!Files.isRegularFile(release) || !Files.isExecutable(javaIn(home))) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(release)) {
            return lines.filter(line -> line.startsWith(VERSION_KEY))
                    .map(line -> line.substring(VERSION_KEY.length()).trim().replace("\"", ""))
                    .filter(version -> feature(version) > 0)
                    .findFirst()
                    .map(version -> new Jdk(home.toAbsolutePath().normalize(), version, feature(version)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable: not a JDK this program can use
        }
    }

    /**
     * The default list: the running JDK, then the newest JDK beside it if its feature release is higher. Only one
     * other, and only a newer one: the question the section answers is whether start-up holds on the newest Java,
     * and each JDK costs a minute or more of probes.
     *
     * @param running the running JDK's home ({@code java.home})
     * @return the running JDK first; empty where even that has no {@code release} file (a stripped runtime)
     */
    static List<Jdk> defaults(Path running) {
        List<Jdk> jdks = new ArrayList<>();
        Optional<Jdk> self = read(running);
        if (self.isEmpty()) {
            return jdks;
        }
        jdks.add(self.get());
        newestBeside(running).filter(newest -> newest.feature() > self.get().feature()).ifPresent(jdks::add);
        return jdks;
    }

    /**
     * The newest JDK among the directories beside {@code running} (its siblings), by version; {@code running}
     * itself included, so a caller compares what it gets with the running JDK.
     *
     * @param running a JDK's home
     * @return the newest JDK there, or empty where the parent directory cannot be listed or holds none
     */
    static Optional<Jdk> newestBeside(Path running) {
        Path parent = running.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            return Optional.empty();
        }
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(Files::isDirectory).sorted() // sorted: the same pick on every run among equals
                    .map(Jdks::read).flatMap(Optional::stream)
                    .max(Comparator.comparing((Jdk jdk) -> version(jdk.version())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The feature release of a {@code JAVA_VERSION}: its first number, or its second for the old {@code 1.x} form.
     *
     * @param version a {@code JAVA_VERSION}, e.g. {@code 25.0.3} or {@code 1.8.0_442}
     * @return the feature release, or 0 where the text does not start with a number
     */
    static int feature(String version) {
        String[] parts = version.split("[^0-9]+", -1);
        try {
            int first = Integer.parseInt(parts[0]);
            return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@return a version comparable with others, or the feature release alone where it is not in Java's form} */
    private static Runtime.Version version(String version) {
        try {
            return Runtime.Version.parse(version);
        } catch (IllegalArgumentException e) {
            return Runtime.Version.parse(Integer.toString(feature(version)));
        }
    }

    private static Path javaIn(Path home) {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        return home.resolve("bin").resolve(windows ? "java.exe" : "java");
    }
}
