package io.procpool.worker.internal.serial;

import io.procpool.PoolException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Apache Fory, which {@code Serialization.FORY} needs and procpool does not bring (it is an optional dependency, so
 * that an application that never picks FORY carries neither Fory nor Janino's signed jar). Nothing here names a Fory
 * type: this class is loaded to check, on a class path that may have no Fory at all.
 */
final class ForyDependency {
    /** The coordinates and version of the dependency, written by the build from the root pom's {@code fory.version}. */
    static final String RESOURCE = "META-INF/procpool/fory.properties";
    private static final String FORY_CLASS = "org.apache.fory.Fory";

    /** Null until first asked; a class path does not change, so the answer is kept. */
    private static volatile Boolean present;

    private ForyDependency() {
    }

    /**
     * Fails unless Fory can be loaded where {@link ForyValueSerializer} is: by the loader of procpool's own classes.
     *
     * @throws PoolException naming the Maven dependency to add
     */
    static void require() {
        Boolean found = present;
        if (found == null) {
            found = isOnClassPath();
            present = found;
        }
        if (!found) {
            throw new PoolException(missingMessage());
        }
    }

    private static boolean isOnClassPath() {
        try {
            // Loaded, not initialised: Fory's static set-up waits for the first serializer.
            Class.forName(FORY_CLASS, false, ForyDependency.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * {@return the error for a JVM without Fory: the coordinates to add (as Gradle writes them), Maven's
     * {@code <dependency>}, and the serialisations that need nothing more}
     */
    static String missingMessage() {
        Properties dependency = dependency();
        String groupId = dependency.getProperty("groupId", "org.apache.fory");
        String artifactId = dependency.getProperty("artifactId", "fory-core");
        String version = dependency.getProperty("version");
        String coordinates = groupId + ":" + artifactId + (version != null ? ":" + version : "");
        return "Serialization.FORY needs Apache Fory, which procpool does not bring: add the dependency "
                + coordinates + (version != null ? " (the version procpool is built against)" : "")
                + " to the application (Maven: <dependency><groupId>" + groupId + "</groupId><artifactId>"
                + artifactId + "</artifactId>" + (version != null ? "<version>" + version + "</version>" : "")
                + "</dependency>), or choose Serialization.KRYO (the default) or JAVA. Fory (" + FORY_CLASS
                + ") is not on this JVM's class path";
    }

    private static Properties dependency() {
        Properties properties = new Properties();
        try (InputStream in = ForyDependency.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // The message then names the artifact without its version, which is still what to add.
        }
        if (properties.getProperty("version", "").contains("${")) {
            properties.remove("version"); // an unfiltered copy, as an IDE building without Maven may leave
        }
        return properties;
    }
}
