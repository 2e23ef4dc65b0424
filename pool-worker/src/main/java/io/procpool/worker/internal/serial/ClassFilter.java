package io.procpool.worker.internal.serial;

import io.procpool.SerializationException;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The opt-in allow-list of classes that may be deserialised, in {@link ObjectInputFilter}'s pattern syntax
 * ({@code com.example.*} a package, {@code com.example.**} a package and its sub-packages, or a class name).
 * Kryo checks every class it reads by name against it, and Java serialisation (used for exceptions and some JDK
 * classes) applies it as its filter. The classes procpool itself sends are always allowed.
 *
 * <p>Why: a queue holds serialised objects that the other side rebuilds, and deserialising what an attacker wrote
 * can run code. The queue directory is private to its owner, so only the same user can write it; the allow-list
 * narrows what even a compromised writer could make the other side build.
 */
public final class ClassFilter {
    /** The system property that carries the allow-list to a worker. */
    public static final String PROPERTY = "procpool.allowClasses";
    /** Allows everything: the default. */
    public static final ClassFilter ALLOW_ALL = new ClassFilter(List.of(), null);

    /** What procpool's own messages need, whatever the user allows. */
    private static final List<String> ALWAYS = List.of("io.procpool.*", "java.lang.*", "java.lang.invoke.*",
            "java.util.*", "java.time.*", "java.math.*", "sun.nio.fs.*",
            "com.esotericsoftware.kryo.serializers.ClosureSerializer$*",
            "io.procpool.worker.internal.serial.JavaShapeSerializer$Leaf");

    private final List<String> patterns;
    private final ObjectInputFilter filter;

    private ClassFilter(List<String> patterns, ObjectInputFilter filter) {
        this.patterns = patterns;
        this.filter = filter;
    }

    /**
     * Makes a filter that allows the classes matching {@code patterns}, and those procpool's own messages need.
     *
     * @param patterns the classes to allow; anything else is rejected
     * @return the filter; {@link #ALLOW_ALL} for no patterns
     * @throws IllegalArgumentException for a pattern the JDK's filter syntax does not accept
     */
    public static ClassFilter allowing(List<String> patterns) {
        if (patterns.isEmpty()) {
            return ALLOW_ALL;
        }
        for (String pattern : patterns) {
            if (pattern.isBlank() || pattern.contains(";") || pattern.startsWith("!") || pattern.contains("=")) {
                throw new IllegalArgumentException("not a class pattern: '" + pattern
                        + "' (use a class name, package.* or package.**)");
            }
        }
        List<String> all = new ArrayList<>(patterns);
        all.addAll(ALWAYS);
        ObjectInputFilter filter = ObjectInputFilter.Config.createFilter(String.join(";", all) + ";!*");
        return new ClassFilter(List.copyOf(patterns), filter);
    }

    /**
     * Reads the filter the parent passed to this worker.
     *
     * @return the filter a worker was started with, from {@value #PROPERTY}
     */
    public static ClassFilter fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "");
        return value.isEmpty() ? ALLOW_ALL : allowing(List.of(value.split(";")));
    }

    /**
     * Writes this filter as an option for a worker's command line, which {@link #fromSystemProperty()} reads back.
     *
     * @return this filter as a {@code -D} option for a worker's command line, or {@code null} for allow-all
     */
    public String asJvmOption() {
        return filter == null ? null : "-D" + PROPERTY + "=" + String.join(";", patterns);
    }

    /**
     * Tells whether this filter lets a class be deserialised. An array is allowed if its element class is.
     *
     * @param type the class to check
     * @return whether instances of {@code type} may be deserialised
     */
    public boolean allows(Class<?> type) {
        if (filter == null) {
            return true;
        }
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive()) {
            return true;
        }
        return filter.checkInput(new ClassOnly(element)) != ObjectInputFilter.Status.REJECTED;
    }

    /**
     * Refuses a class that this filter does not allow.
     *
     * @param type the class to check
     * @throws SerializationException if {@code type} is not allowed
     */
    public void check(Class<?> type) {
        if (!allows(type)) {
            throw new SerializationException("class " + type.getName() + " is not in the pool's allow-list "
                    + patterns + "; add it with the pool builder's allowClasses(...)");
        }
    }

    /**
     * {@return the JDK filter, for Java serialisation, or {@code null} for allow-all}
     */
    ObjectInputFilter objectInputFilter() {
        return filter;
    }

    private static final class ClassOnly implements ObjectInputFilter.FilterInfo {
        private final Class<?> type;

        ClassOnly(Class<?> type) {
            this.type = type;
        }

        @Override
        public Class<?> serialClass() {
            return type;
        }

        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
