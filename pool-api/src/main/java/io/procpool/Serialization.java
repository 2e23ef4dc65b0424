package io.procpool;

/**
 * How functions, items, results and exceptions cross a process boundary. Each carries the same values with the
 * same fidelity, or fails with a {@link SerializationException} naming the class it cannot carry; they differ in
 * speed, size and what they ask of a class, which the comparison program measures side by side.
 */
public enum Serialization {
    /**
     * Kryo, the default: fast and compact, and no class needs to implement {@code Serializable}. JDK classes Kryo
     * cannot copy faithfully go through Java serialisation for their shape.
     */
    KRYO,
    /**
     * The JDK's own {@code java.io} serialisation: every value must be {@code Serializable}. The slowest and largest
     * of the three, with no dependency beyond the JDK.
     */
    JAVA,
    /**
     * Apache Fory (its Java mode): fast, with lambdas, records and the JDK's collections, and no
     * {@code Serializable} needed. Its first use of each class costs extra while Fory generates a serializer for it.
     */
    FORY
}
