package io.procpool.examples.compare;

import io.procpool.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SerialisationChartTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static Results results() {
        Machine machine = new Machine(2, "test", "test", "test", "test", 1, -1, "now", null, null, null);
        return new Results(machine, Plan.quick(2));
    }

    private static Crossing crossing(double bytes) {
        return new Crossing(10, bytes, bytes, 1, 1, 1, 1);
    }

    @Test
    void shouldLeaveOutAPayloadThatOneSerialisationHasNoFigureFor(@TempDir Path dir) throws Exception {
        Results results = results();
        for (Serialization serialization : Serialization.values()) {
            results.serialisationPayload.add(new Results.SerialPayload(serialization, Payload.RECORD.label(), 10,
                    40, crossing(60)));
        }
        // JAVA could not carry this one: the payload is left out, the record still drawn.
        results.serialisationPayload.add(new Results.SerialPayload(Serialization.KRYO, Payload.MAP_10K.label(), 10,
                4_000, crossing(150_000)));
        results.serialisationPayload.add(new Results.SerialPayload(Serialization.FORY, Payload.MAP_10K.label(), 10,
                3_000, crossing(120_000)));
        Path png = dir.resolve("serialization.png");

        assertTrue(ChartWriter.writeSerialisation(results, png));

        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image");
        assertTrue(image.getWidth() > image.getHeight(), "two panels side by side");
    }

    @Test
    void shouldDrawNothingWhenNoPayloadHasEveryFigure(@TempDir Path dir) throws Exception {
        Results results = results();
        results.serialisationPayload.add(new Results.SerialPayload(Serialization.KRYO, Payload.RECORD.label(), 10,
                40, crossing(60)));
        results.serialisationPayload.add(new Results.SerialPayload(Serialization.JAVA, Payload.MAP_10K.label(), 10,
                9_000, crossing(300_000)));
        Path png = dir.resolve("serialization.png");

        assertFalse(ChartWriter.writeSerialisation(results, png));
        assertFalse(Files.exists(png));
    }

    @Test
    void shouldDrawNothingWithoutPayloadFigures(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("serialization.png");

        assertFalse(ChartWriter.writeSerialisation(results(), png));
        assertFalse(Files.exists(png));
    }
}
