package io.procpool.cluster;

/**
 * JVM options for the child JVMs of tests whose subject is a pool's semantics, not its speed. Such a JVM lives for
 * a few calls: the optimising compiler's work (C2) would never pay off there, and on a small CI machine it takes a
 * third of the JVMs' CPU. Tests of defaults and of speed-sensitive paths leave them out.
 */
final class ShortLivedJvms {
    /** The quick compiler only. */
    static final String QUICK_COMPILER_ONLY = "-XX:TieredStopAtLevel=1";

    private ShortLivedJvms() {
    }
}
