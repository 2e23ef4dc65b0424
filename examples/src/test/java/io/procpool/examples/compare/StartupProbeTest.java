package io.procpool.examples.compare;

import io.procpool.examples.compare.StartupProbe.Line;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupProbeTest {
    @Test
    void shouldReadBackTheLineAProbePrints() {
        Line printed = new Line("procpool", "25.0.3+9-LTS", List.of(2100.5, 900.0, 950.0), List.of(2000.0, 850.0,
                900.0));

        Line read = Line.parse(printed.toJson() + "\n");

        assertEquals(printed, read);
        assertEquals(2100.5, read.firstPool());
        assertEquals(List.of(900.0, 950.0), read.laterPools());
    }

    @Test
    void shouldTakeTheLastJsonLineAfterStrayOutput() {
        String stdout = "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes\n"
                + "{\"engine\":\"pp4j\",\"javaVersion\":\"17.0.15\",\"poolMillis\":[600.0]}\n";

        Line read = Line.parse(stdout);

        assertEquals("pp4j", read.engine());
        assertEquals(600.0, read.firstPool());
        assertEquals(List.of(), read.laterPools());
        // PP4J has no readiness figure: an absent field reads as none, not as null.
        assertEquals(List.of(), read.readyMillis());
    }

    @Test
    void shouldRefuseOutputWithoutPoolFigures() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Line.parse("Exception in thread \"main\" java.lang.IllegalStateException: boom\n"));
        assertTrue(none.getMessage().contains("no JSON line"), none.getMessage());
        assertTrue(none.getMessage().contains("boom"), none.getMessage());

        assertThrows(IllegalArgumentException.class, () -> Line.parse(""));
        assertThrows(IllegalArgumentException.class,
                () -> Line.parse("{\"engine\":\"procpool\",\"javaVersion\":\"17\",\"poolMillis\":[]}"));
        assertThrows(IllegalArgumentException.class, () -> Line.parse("{\"engine\":\"procpool\",\"poolMillis\":["));
    }
}
