package io.procpool.metrics;

import io.procpool.Pool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Micrometer is an optional dependency: a program without it must never load a class that names it. Only
 * {@link PoolMetrics} (and the lambdas compiled into it) may.
 */
class MicrometerIsOptionalTest {
    @Test
    void shouldNameMicrometerInPoolMetricsAlone() throws IOException, URISyntaxException {
        Path classes = Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> naming;
        try (Stream<Path> files = Files.walk(classes)) {
            naming = files.filter(file -> file.toString().endsWith(".class"))
                    .filter(MicrometerIsOptionalTest::namesMicrometer)
                    .map(file -> classes.relativize(file).toString())
                    .sorted().collect(Collectors.toList());
        }
        assertFalse(naming.isEmpty(), "PoolMetrics should name Micrometer: is this the right directory? " + classes);
        assertEquals(List.of("io/procpool/metrics/PoolMetrics.class"), naming);
    }

    private static boolean namesMicrometer(Path classFile) {
        try {
            // Class names sit in the constant pool as modified UTF-8, which is ASCII for these.
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("io/micrometer/");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
