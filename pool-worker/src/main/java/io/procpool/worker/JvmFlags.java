package io.procpool.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags Chronicle Queue needs, read from the argument file this jar ships at {@value #RESOURCE} (generated
 * from the build's one definition of them), and the check that a JVM was started with them.
 */
public final class JvmFlags {
    /** Where the argument file lives inside the jar; {@code java @jvm.args} reads the same file. */
    public static final String RESOURCE = "META-INF/procpool/jvm.args";

    private JvmFlags() {
    }

    /**
     * Prints the flags, one per line, so that they can be saved as an argument file:
     * {@code java -cp pool-worker.jar io.procpool.worker.JvmFlags > jvm.args}, then {@code java @jvm.args ...}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        required().forEach(System.out::println);
    }

    /**
     * Returns the flags Chronicle Queue needs, as listed in {@value #RESOURCE}.
     *
     * @return the flags, e.g. {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED}
     * @throws IllegalStateException if the file is missing from the classpath or cannot be read
     */
    public static List<String> required() {
        try (InputStream in = JvmFlags.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return new ArrayList<>(Arrays.asList(text.split("\\s+")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Checks this JVM for the flags {@link #required()} lists.
     *
     * @return the flags this JVM lacks: {@code --add-opens} whose package is not open to the unnamed module, and
     * {@code --add-exports} whose package is not exported to it
     */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        Module unnamed = JvmFlags.class.getClassLoader().getUnnamedModule();
        for (String flag : required()) {
            boolean opens = flag.startsWith("--add-opens=");
            boolean exports = flag.startsWith("--add-exports=");
            if (!opens && !exports) {
                continue;
            }
            String target = flag.substring(flag.indexOf('=') + 1);
            String modulePackage = target.substring(0, target.indexOf('='));
            String moduleName = modulePackage.substring(0, modulePackage.indexOf('/'));
            String packageName = modulePackage.substring(modulePackage.indexOf('/') + 1);
            Module module = ModuleLayer.boot().findModule(moduleName).orElse(null);
            if (module == null) {
                continue;
            }
            boolean granted = opens ? module.isOpen(packageName, unnamed) : module.isExported(packageName, unnamed);
            if (!granted) {
                missing.add(flag);
            }
        }
        return missing;
    }
}
