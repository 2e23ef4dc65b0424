package io.procpool.worker.internal.transport;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.MappedByteBuffer;

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
    /** {@code SYS_futex}, which differs by architecture. */
    private static final long SYS_FUTEX = LibcBinding.number(202, 98);
    private static final LibcBinding BINDING = new LibcBinding(LibC.class, PROPERTY, SYS_FUTEX);

    private Futex() {
    }

    /** libc's {@code syscall}, bound by JNA's direct mapping. */
    private static final class LibC {
        static native long syscall(long number, Pointer word, int op, int value, Pointer timeout, Pointer word2,
                                   int value3);
    }

    /**
     * Binds the call, once per JVM; costs some milliseconds the first time in a JVM whose Chronicle queues are open
     * (JNA is loaded then), more before.
     *
     * @return whether futex wake-ups can be used in this JVM
     */
    static boolean load() {
        return BINDING.load();
    }

    /** {@return whether {@link #load()} bound the call: never loads it} */
    static boolean available() {
        return BINDING.available();
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
