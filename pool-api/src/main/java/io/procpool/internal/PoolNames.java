package io.procpool.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool's name, for every pool: the check of a name given to a builder, the name made up for a pool built without
 * one, and the names of the pool's threads. A name appears in thread names, in the prefix of each line a worker
 * writes, in error messages, and as a metrics tag and a JMX object name, so it may hold nothing that would break
 * one of them.
 */
public final class PoolNames {
    /** Characters that would break a JMX object name's value ({@code ,=:"*?\}) or a log prefix's brackets. */
    private static final String FORBIDDEN = ",=:*?\"\\[]";
    private static final AtomicInteger UNNAMED = new AtomicInteger();

    private PoolNames() {
    }

    /**
     * Checks a name given to a pool's builder.
     *
     * @param name the name
     * @return {@code name}
     * @throws IllegalArgumentException if it is {@code null}, blank, starts or ends with white space, or holds a
     *                                  control character or one of {@code , = : * ? " \ [ ]}; the message quotes it
     */
    public static String check(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a pool's name must not be null or blank, was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (!name.equals(name.strip())) {
            throw new IllegalArgumentException("a pool's name must not start or end with white space, was '"
                    + shown(name) + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || FORBIDDEN.indexOf(c) >= 0) {
                throw new IllegalArgumentException("a pool's name must not hold a control character or any of "
                        + FORBIDDEN + " (it names threads, log lines and JMX objects), was '" + shown(name) + "'");
            }
        }
        return name;
    }

    /**
     * Returns a pool's name: the one it was given, or else a new one made up in this JVM, {@code pool-1},
     * {@code pool-2} and so on, in the order pools are built, whatever their kind.
     *
     * @param name the name the builder was given, checked, or {@code null} for none
     * @return {@code name}, or a made-up name no other pool made up in this JVM has
     */
    public static String orMadeUp(String name) {
        return name != null ? name : "pool-" + UNNAMED.incrementAndGet();
    }

    /**
     * Names one of a pool's threads.
     *
     * @param pool the pool's name
     * @param role what the thread does, and which of its kind it is: {@code loop}, {@code thread-1}, ...
     * @return {@code procpool-<pool>-<role>}
     */
    public static String thread(String pool, String role) {
        return "procpool-" + pool + "-" + role;
    }

    /** {@return the name with its control characters as escapes, so that a message showing it stays on one line} */
    private static String shown(String name) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\n') {
                shown.append("\\n");
            } else if (c == '\r') {
                shown.append("\\r");
            } else if (c == '\t') {
                shown.append("\\t");
            } else if (Character.isISOControl(c)) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        return shown.toString();
    }
}
