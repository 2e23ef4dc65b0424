package io.procpool.cluster;

import io.procpool.SerializationException;

import java.security.CodeSource;

/**
 * Refuses, on the caller's thread, a function whose class exists only in this JVM's memory: a single-file source
 * program's ({@code java Main.java}), a compact source file's, a jshell snippet's. A cluster member loads a task's
 * classes from its own class path, so such a function would fail there with a bare {@code ClassNotFoundException};
 * a {@code ProcessPool}, whose workers are this JVM's children, sends those classes by value instead.
 */
final class InMemoryFunctions {
    private InMemoryFunctions() {
    }

    /**
     * Checks that members can load the function's class from a class path.
     *
     * @param function the call's function
     * @throws SerializationException naming the class, its loader, and what members need
     */
    static void refuse(Object function) {
        Class<?> type = function.getClass();
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getSystemClassLoader()
                || loader == ClassLoader.getPlatformClassLoader()) {
            return;
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        boolean inMemory = source == null || source.getLocation() == null
                || source.getLocation().getPath().endsWith(".java"); // the source launcher's: the source file
        if (inMemory) {
            String name = type.getName();
            int lambda = name.indexOf("$$Lambda");
            throw new SerializationException("cannot send the function " + name + " to cluster members: "
                    + (lambda < 0 ? "its class" : "the class " + name.substring(0, lambda) + " that made it")
                    + " exists only in this JVM's memory (defined by " + loader + ", as a single-file source "
                    + "program's, a compact source file's or a jshell snippet's are), and members load a task's "
                    + "classes from their own class path: compile it and put it on the members' class path (a "
                    + "ProcessPool sends such classes to its workers by value)");
        }
    }
}
