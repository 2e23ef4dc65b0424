package io.procpool.worker.internal.transport;

import com.sun.jna.Native;

import java.util.Locale;

/**
 * One class of libc calls bound by JNA's direct mapping (a JNI call each, no reflection per call), once per JVM and
 * only where it can work: Linux on x86-64 or AArch64, JNA present, and the system property that turns the feature
 * off not {@code false}. Binding costs some milliseconds in a JVM that has loaded JNA (Chronicle does as its queues
 * open), more before: each user binds on its queue opener's thread, where the cost does not matter.
 */
final class LibcBinding {
    private final Class<?> calls;
    private final String property;
    private final long systemCall;
    private final Object lock = new Object();
    /** Null until {@link #load()} ran; then whether the calls are bound. */
    private volatile Boolean loaded;

    /**
     * @param calls      the class whose static native methods are libc's
     * @param property   the system property that turns the feature off with {@code false}
     * @param systemCall the system call's number on this machine, 0 where it is not known (see {@link #number})
     */
    LibcBinding(Class<?> calls, String property, long systemCall) {
        this.calls = calls;
        this.property = property;
        this.systemCall = systemCall;
    }

    /**
     * A system call's number, which differs by architecture.
     *
     * @return {@code amd64} or {@code aarch64} on Linux on those, else 0
     */
    static long number(String os, String arch, long amd64, long aarch64) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return 0;
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return amd64;
            case "aarch64":
                return aarch64;
            default:
                return 0;
        }
    }

    /** As {@link #number(String, String, long, long)} for this JVM's system. */
    static long number(long amd64, long aarch64) {
        return number(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), amd64, aarch64);
    }

    /** {@return whether the calls are bound in this JVM, binding them the first time} */
    boolean load() {
        Boolean known = loaded;
        if (known != null) {
            return known;
        }
        synchronized (lock) {
            if (loaded == null) {
                loaded = bind();
            }
            return loaded;
        }
    }

    private boolean bind() {
        if (systemCall == 0 || !Boolean.parseBoolean(System.getProperty(property, "true"))) {
            return false;
        }
        try {
            Native.register(calls, "c");
            return true;
        } catch (Throwable t) { // JNA missing (NoClassDefFoundError), its native library refused, no libc symbol
            return false;
        }
    }

    /** {@return whether {@link #load()} bound the calls: never binds them} */
    boolean available() {
        Boolean known = loaded;
        return known != null && known;
    }
}
