package io.procpool.worker.internal.runtime;

import io.procpool.Serialization;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.internal.transport.QueueLayout;
import io.procpool.worker.internal.transport.StartRing;
import io.procpool.worker.internal.transport.StatusDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's message loop over its start-up rings, with no worker JVM. */
class WorkerLoopTest {
    @TempDir
    Path directory;

    @Test
    void shouldStopAtAMessageOfAnotherProtocolVersionSayingWhy() throws IOException {
        QueueLayout layout = new QueueLayout(directory);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (StatusDescriptor status = StatusDescriptor.create(layout.statusFile());
             StartRing tasks = StartRing.create(layout.ringFile(QueueLayout.TASKS), StartRing.DEFAULT_CAPACITY);
             StartRing results = StartRing.create(layout.ringFile(QueueLayout.RESULTS), StartRing.DEFAULT_CAPACITY);
             WorkerMessages messages = new WorkerMessages(layout, () -> { }, false)) {
            byte other = (byte) (Protocol.VERSION + 1);
            byte[] init = {other, Protocol.INIT, 0, 0, 0};
            assertTrue(tasks.offer(init, init.length));
            WorkerLoop loop = new WorkerLoop(new ShippedClasses(
                    ValueSerializers.create(Serialization.KRYO, ClassFilter.ALLOW_ALL, null), loader -> null),
                    messages, status, new IdleStrategy(IdleStrategy.Mode.BACKOFF, Long.MAX_VALUE),
                    new long[Protocol.STAMPS]);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                assertEquals(Protocol.EXIT_BAD_START, loop.run());
            } finally {
                System.setErr(stderr);
            }
            String said = err.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("protocol version " + other), said);
            assertTrue(said.contains("speaks version " + Protocol.VERSION), said);
            assertEquals(StartRing.Poll.EMPTY, results.poll(), "nothing is answered to a message it cannot read");
        }
    }
}
