package io.procpool.benchmarks;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every benchmark here inherits (JMH's {@code @Fork}, {@code @Warmup} and {@code @Measurement} are
 * {@code @Inherited}): one fork that gets the flags Chronicle needs, and iterations short enough that the whole
 * suite runs in minutes on two cores. Raise them on the command line ({@code -f}, {@code -wi}, {@code -i}) for
 * figures worth publishing.
 */
@Fork(value = 1, jvmArgsAppend = {BenchFlags.OPEN_REFLECT, BenchFlags.OPEN_NIO, BenchFlags.EXPORT_REF})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class BenchmarkDefaults {
    /** Subclassed by the benchmarks only. */
    protected BenchmarkDefaults() {
    }
}
