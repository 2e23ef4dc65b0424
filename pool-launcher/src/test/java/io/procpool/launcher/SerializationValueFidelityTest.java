package io.procpool.launcher;

import io.procpool.Serialization;
import io.procpool.SerializationException;
import io.procpool.worker.fidelity.ValueCatalogue;
import io.procpool.worker.internal.serial.Behaviour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance test across real worker JVMs for the serialisations other than the default ({@link
 * ValueFidelityTest} runs it for Kryo): every value of the catalogue, as a worker receives it and as it comes back,
 * behaves as the original, or the call fails with a {@link SerializationException} naming the serialisation. Java
 * serialisation refuses what is not {@code Serializable}; Fory carries every value.
 */
class SerializationValueFidelityTest {

    @ParameterizedTest
    @EnumSource(value = Serialization.class, names = {"JAVA", "FORY"})
    void shouldDeliverEveryValueToAWorkerAndBackWithItsBehaviourOrRefuseIt(Serialization serialization) {
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        try (ProcessPool pool = ProcessPool.builder().processes(2).serialization(serialization).build()) {
            for (ValueCatalogue.Case c : ValueCatalogue.cases()) {
                String expected = c.behaviourOf(c.make().get());
                boolean contentsOnly = c.classMayChange();
                try {
                    String inWorker = pool.apply((Object v) -> contentsOnly ? Behaviour.describeContents(v)
                            : Behaviour.describe(v), c.make().get());
                    String returned = c.behaviourOf(pool.apply((Object v) -> v, c.make().get()));
                    if (!expected.equals(inWorker) || !expected.equals(returned)) {
                        mismatches.add(c + ":\n  expected " + expected + "\n  in worker " + inWorker
                                + "\n  came back " + returned);
                    }
                } catch (SerializationException e) {
                    refused++;
                    if (!e.getMessage().contains("Serialization." + serialization)) {
                        mismatches.add(c + " refused without naming the serialisation: " + e.getMessage());
                    }
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " values changed crossing with " + serialization
                + ":\n" + String.join("\n", mismatches));
        if (serialization == Serialization.FORY) {
            assertTrue(refused == 0, "Fory carries every value of the catalogue; refused " + refused);
        }
    }
}
