package io.procpool.worker.internal.serial;

/**
 * What every serialisation says of a lambda or method reference that cannot cross: that it is one, and how to make
 * one that can. The JDK gives such a class a name with {@code $$Lambda} in it and no {@code Serializable}; without
 * this, each serialiser words it its own way (Kryo once blamed a missing JVM flag), none with the fix.
 */
final class Lambdas {
    /** The fix, in the words a Java programmer searches for. */
    static final String FIX = "a lambda or method reference that is not Serializable cannot cross: cast it where "
            + "it is made, e.g. (Function<String, Integer> & Serializable) String::length, or write a class that "
            + "implements the interface and java.io.Serializable (for a sorted collection's order, a Comparator "
            + "class)";

    private Lambdas() {
    }

    /**
     * Returns whether a class name is a lambda's or a method reference's.
     *
     * @param className a class name
     * @return whether it names a lambda's class
     */
    static boolean isLambdaName(String className) {
        return className.contains("$$Lambda");
    }

    /**
     * Adds the fix to a serialiser's message that names a lambda's class, once.
     *
     * @param message what the serialiser said
     * @return the message, with {@link #FIX} after it where it names a lambda's class
     */
    static String withFix(String message) {
        if (message == null || !isLambdaName(message) || message.contains(FIX)) {
            return message;
        }
        return message + "; " + FIX;
    }
}
