package io.procpool.worker.internal.transport;

/**
 * Linux's {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14 and later), through JNA's direct mapping of
 * {@code syscall}: makes the pages of a range of a shared mapping present and writable in one call, where writing them
 * one by one takes a page fault each. A Chronicle queue only appends, so its writer touches every page of its file
 * for the first time; on the 2-vCPU virtual machine this was built on, a first write to a page of a new mapping cost
 * 10-12 us (a fault), and 5.9-6.7 us in all when the range was populated first (1.2-1.4 us a page in the call, the
 * rest at the first write, which the host still handles): the writer's share of what crossing costs per page, about
 * halved (a scratch C program, 64 MiB of a file on /dev/shm, two runs).
 *
 * <p>{@link #load()} binds the call once per JVM, on a thread where its cost does not matter (a queue opener's).
 * Where it cannot be bound (not Linux on x86-64 or AArch64, JNA absent, {@code -Dprocpool.populate=false}) or the
 * kernel refuses it (older than 5.14), writers fault their pages in as before.
 */
final class PagePopulation {
    /** The system property that turns population off ({@code false}); on by default where Linux has it. */
    static final String PROPERTY = "procpool.populate";
    private static final int MADV_POPULATE_WRITE = 23;
    /** {@code SYS_madvise}, which differs by architecture. */
    private static final long SYS_MADVISE = LibcBinding.number(28, 233);
    private static final LibcBinding BINDING = new LibcBinding(LibC.class, PROPERTY, SYS_MADVISE);
    /** Set once the kernel refused the call: it would refuse it every time. */
    private static volatile boolean refused;

    private PagePopulation() {
    }

    /** libc's {@code syscall}, bound by JNA's direct mapping. */
    private static final class LibC {
        static native long syscall(long number, long address, long length, long advice);
    }

    /**
     * Binds the call, once per JVM.
     *
     * @return whether pages can be populated in this JVM
     */
    static boolean load() {
        return BINDING.load();
    }

    /**
     * Makes the pages of {@code [address, address + length)} present and writable.
     *
     * @param address the start, a multiple of the page size, inside a shared mapping the caller keeps mapped
     * @param length  how many bytes
     * @return whether it was done; false once the kernel refused it, and from then on without asking it again
     */
    static boolean populate(long address, long length) {
        if (refused || !BINDING.available()) {
            return false;
        }
        if (LibC.syscall(SYS_MADVISE, address, length, MADV_POPULATE_WRITE) != 0) {
            refused = true;
            return false;
        }
        return true;
    }
}
