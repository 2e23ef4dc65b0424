package io.procpool.cluster;

import io.procpool.worker.internal.serial.ClassFilter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of {@link ClusterPool.Builder}: each setter's argument, and, in {@code build()}, the settings as a whole.
 * Kept out of the builder so that its source is its public setters and their documentation; every check throws what
 * that documentation says, with the same message as before it moved here.
 */
final class BuilderChecks {
    private BuilderChecks() {
    }

    /**
     * Checks a count.
     *
     * @return {@code value}
     * @throws IllegalArgumentException if it is less than {@code min}, naming {@code what}
     */
    static int atLeast(int value, int min, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    /**
     * Checks a duration.
     *
     * @return {@code duration}
     * @throws IllegalArgumentException if it is null, zero or negative, naming {@code what}
     */
    static Duration positive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
        return duration;
    }

    /**
     * Checks a cluster's name.
     *
     * @return {@code clusterName}
     * @throws IllegalArgumentException if it is null or blank
     */
    static String clusterName(String clusterName) {
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("clusterName must not be blank, was '" + clusterName + "'");
        }
        return clusterName;
    }

    /**
     * Checks a member's address.
     *
     * @return {@code address}
     * @throws IllegalArgumentException if it is not {@code host:port} with a port of 1-65535
     */
    static String address(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("an address must be host:port, was '" + address + "'");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an address must be host:port with a port of 1-65535, was '"
                    + address + "'");
        }
        return address;
    }

    /**
     * Checks members' addresses.
     *
     * @return the addresses, in order
     * @throws IllegalArgumentException if one is not {@code host:port} with a port of 1-65535
     */
    static List<String> addresses(String... addresses) {
        List<String> checked = new ArrayList<>();
        for (String address : addresses) {
            checked.add(address(address));
        }
        return List.copyOf(checked);
    }

    /**
     * Makes the pool's class filter, as {@code build()} starts. Local members get the patterns on their command
     * line, comma-separated, so a comma cannot be part of one (nor of a class name).
     *
     * @return the filter for what the pool reads
     * @throws IllegalArgumentException for a pattern that is not a class pattern
     */
    static ClassFilter classFilter(List<String> patterns) {
        for (String pattern : patterns) {
            if (pattern.contains(",")) {
                throw new IllegalArgumentException("not a class pattern: '" + pattern + "' (one pattern per "
                        + "argument of allowClasses, with no comma)");
            }
        }
        return ClassFilter.allowing(patterns);
    }

    /**
     * Checks the settings as a whole, as {@code build()} starts.
     *
     * @throws IllegalStateException if neither or both of local members and addresses were set, or a task timeout
     *                               was set without local members that run worker processes
     */
    static void settings(ClusterSettings settings) {
        if ((settings.localMembers() > 0) == !settings.addresses().isEmpty()) {
            throw new IllegalStateException("set either localMembers(n) to start members, or addresses(...) "
                    + "to join a running cluster" + (settings.localMembers() > 0 ? ", not both" : ""));
        }
        if (settings.taskTimeout() != null && (!settings.workerProcesses() || settings.localMembers() == 0)) {
            throw new IllegalStateException("taskTimeout needs local members with workerProcesses(true): a task "
                    + "on a member's thread cannot be stopped");
        }
    }
}
