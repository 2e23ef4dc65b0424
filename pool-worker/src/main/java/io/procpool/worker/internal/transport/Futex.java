package io.procpool.worker.internal.transport;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.MappedByteBuffer;
import java.util.Locale;

/**
 * Linux's futex on a word of a shared mapping, through JNA (which Chronicle's native bindings bring, and load when
 * the queues open): the cheapest way measured here to wake another process. After 20 ms asleep another JVM woke in
 * a p50 of 51-61 us against 92-131 us for a byte on its stdin read through a {@code FileChannel} (in C both took
 * 40-53 us: the difference is Java's blocking read and write). A futex on a file mapped shared by two processes is
 * one futex to the kernel, which keys it by the file's page, not by the address.
 *
 * <p>{@link #load()} binds it once per JVM, on a thread where its cost does not matter (a queue opener's); until
 * then, or where it cannot be bound (not Linux on x86-64 or AArch64, JNA absent, {@code -Dprocpool.futex=false}),
 * both sides keep the stdin byte. Errors of the call itself (the word already changed, a timeout, a signal) are not
 * reported: the caller looks at the word again.
 */
final class Futex {
    /** The system property that turns futex wake-ups off ({@code false}); on by default where Linux has them. */
    static final String PROPERTY = "procpool.futex";
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    /** {@code SYS_futex}, which differs by architecture; 0 where it is not known here. */
    private static final long SYS_FUTEX = sysFutex(System.getProperty("os.name", ""),
            System.getProperty("os.arch", ""));
    private static final Object LOCK = new Object();
    /** Null until {@link #load()} ran; then whether the call is bound. */
    private static volatile Boolean loaded;

    private Futex() {
    }

    /** libc's {@code syscall}, bound by JNA's direct mapping (a JNI call, no reflection per call). */
    private static final class LibC {
        static native long syscall(long number, Pointer word, int op, int value, Pointer timeout, Pointer word2,
                                   int value3);
    }

    static long sysFutex(String os, String arch) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return 0;
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 202;
            case "aarch64":
                return 98;
            default:
                return 0;
        }
    }

    /**
     * Binds the call, once per JVM; costs some milliseconds the first time in a JVM whose Chronicle queues are open
     * (JNA is loaded then), more before.
     *
     * @return whether futex wake-ups can be used in this JVM
     */
    static boolean load() {
        Boolean known = loaded;
        if (known != null) {
            return known;
        }
        synchronized (LOCK) {
            if (loaded == null) {
                loaded = bind();
            }
            return loaded;
        }
    }

    private static boolean bind() {
        if (SYS_FUTEX == 0 || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return false;
        }
        try {
            Native.register(LibC.class, "c");
            return true;
        } catch (Throwable t) { // JNA missing (NoClassDefFoundError), its native library refused, no libc symbol
            return false;
        }
    }

    /** {@return whether {@link #load()} bound the call: never loads it} */
    static boolean available() {
        Boolean known = loaded;
        return known != null && known;
    }

    /** A futex word at an offset of a shared mapping, with the memory its waits pass their timeout in. */
    static final class Word {
        private final Pointer word;
        /** A {@code struct timespec}, for the waiting side; one thread waits on a word. */
        private final Memory timeout = new Memory(16);

        /**
         * @param mapping a shared mapping, kept reachable by the caller as long as this word is used
         * @param offset  the word's offset in it, a multiple of 4
         */
        Word(MappedByteBuffer mapping, int offset) {
            this.word = Native.getDirectBufferPointer(mapping).share(offset);
        }

        /**
         * Sleeps while the word holds {@code expected}, at most {@code timeoutNanos}; returns at once if it does not.
         * May return early (a signal); the caller looks at the word.
         */
        void await(int expected, long timeoutNanos) {
            timeout.setLong(0, timeoutNanos / 1_000_000_000L);
            timeout.setLong(8, timeoutNanos % 1_000_000_000L);
            LibC.syscall(SYS_FUTEX, word, FUTEX_WAIT, expected, timeout, null, 0);
        }

        /** Wakes one thread waiting on the word, in any process that maps it. */
        void wakeOne() {
            LibC.syscall(SYS_FUTEX, word, FUTEX_WAKE, 1, null, null, 0);
        }
    }
}
