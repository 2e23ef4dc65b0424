package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;
import io.procpool.internal.Chunk;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.worker.internal.transport.BufferRetention;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.protocol.ClassesMessage;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.RawBitsOutput;
import io.procpool.worker.internal.protocol.ShippedClass;
import io.procpool.worker.internal.serial.ValueSerializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes what the parent sends one worker (the in-memory classes a call's function needs that the worker lacks, a
 * call's function before its first chunk there, chunks, shutdown) and appends it to the worker's tasks queue. One
 * per worker, used by the thread that holds the worker; it holds the worker's serializer, which the
 * {@link ResultsAdapter} shares for the answers.
 */
final class TasksProxy {
    private static final int INITIAL_OUTPUT_BYTES = 8192;

    private final ValueSerializer values;
    private final PoolCounters counters;
    private final Output out = new RawBitsOutput(INITIAL_OUTPUT_BYTES, -1);
    private final Output function = new Output(256, -1);
    private final Output classes = new Output(INITIAL_OUTPUT_BYTES, -1);
    /**
     * The in-memory classes this worker was sent: each name with a hash of the bytes sent, so that a class crosses
     * once per worker, and again only when it changed.
     */
    private final Map<String, Long> classesSent = new HashMap<>();
    private List<ShippedClass> classesPrepared = List.of();
    private final BufferRetention retention = new BufferRetention();
    private boolean functionPrepared;
    private boolean chunkPrepared;
    private Throwable itemFailure;

    TasksProxy(ValueSerializer values, PoolCounters counters) {
        this.values = values;
        this.counters = counters;
    }

    /**
     * Encodes a chunk, and the call's function before it if asked.
     *
     * @return -1 when ready; otherwise the index within the chunk of the item that could not be serialised (nothing
     * is ready; {@link #itemFailure} says why)
     */
    int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction) {
        functionPrepared = false;
        chunkPrepared = false;
        classesPrepared = List.of();
        // Checked at every chunk, not only with the function: a class can change under a function of the same bytes.
        List<ShippedClass> missing = missingClasses(call.classes());
        if (!missing.isEmpty()) {
            classes.reset();
            ClassesMessage.write(classes, missing);
        }
        if (withFunction) {
            function.reset();
            Protocol.writeHeader(function, Protocol.FUNCTION);
            function.writeVarLong(call.functionId(), true);
            function.writeVarInt(call.functionBytes().length, true);
            function.writeBytes(call.functionBytes());
        }
        out.reset();
        Protocol.writeHeader(out, Protocol.CHUNK);
        out.writeVarLong(seq, true);
        out.writeVarLong(chunk.call().id(), true);
        out.writeVarLong(call.functionId(), true);
        out.writeVarLong(chunk.firstIndex(), true);
        out.writeVarInt(chunk.size(), true);
        int unwritten = ChunkCodec.writeItems(values, out, chunk.items());
        if (unwritten >= 0) {
            // Arrays the chunk wrote to files stay there until the pool's directory goes, at close.
            values.takeOutOfBandBytes();
            itemFailure = ChunkCodec.takeItemFailure();
            shrinkOutput();
            return unwritten;
        }
        functionPrepared = withFunction;
        chunkPrepared = true;
        classesPrepared = missing;
        return -1;
    }

    private List<ShippedClass> missingClasses(List<ShippedClass> needed) {
        if (needed.isEmpty()) {
            return List.of();
        }
        List<ShippedClass> missing = new ArrayList<>();
        for (ShippedClass shipped : needed) {
            Long sent = classesSent.get(shipped.name());
            if (sent == null || sent != shipped.hash()) {
                missing.add(shipped);
            }
        }
        return missing;
    }

    /** Appends what {@link #prepare} made ready: the classes, then the function, if there are any. */
    void sendPrepared(ChronicleChannel channel) {
        if (!chunkPrepared) {
            throw new IllegalStateException("no chunk was prepared");
        }
        try {
            if (!classesPrepared.isEmpty()) {
                channel.send(classes.getBuffer(), classes.position());
                counters.bytesToWorkers.add(classes.position());
                counters.classesToWorkers.add(classesPrepared.size());
                for (ShippedClass shipped : classesPrepared) {
                    classesSent.put(shipped.name(), shipped.hash());
                }
                releaseClassesBuffer();
            }
            if (functionPrepared) {
                channel.send(function.getBuffer(), function.position());
                counters.bytesToWorkers.add(function.position());
            }
            channel.send(out.getBuffer(), out.position());
            counters.bytesToWorkers.add(out.position() + values.takeOutOfBandBytes());
        } finally {
            classesPrepared = List.of();
            functionPrepared = false;
            chunkPrepared = false;
            shrinkOutput();
        }
    }

    /**
     * @param index the index within {@code chunk} that {@link #prepare} returned
     * @return the error for that item: which item, of which class, and why it could not be serialised
     */
    SerializationException itemFailure(Chunk chunk, int index) {
        return KryoCodec.failure("could not serialise item " + (chunk.firstIndex() + index), chunk.items()[index],
                itemFailure);
    }

    /** Sends classes on their own, marking them sent: those an initializer needs, ahead of the set-up message. */
    void sendClasses(ChronicleChannel channel, List<ShippedClass> needed) {
        List<ShippedClass> missing = missingClasses(needed);
        classes.reset();
        ClassesMessage.write(classes, missing);
        channel.send(classes.getBuffer(), classes.position());
        counters.bytesToWorkers.add(classes.position());
        counters.classesToWorkers.add(missing.size());
        for (ShippedClass shipped : missing) {
            classesSent.put(shipped.name(), shipped.hash());
        }
        releaseClassesBuffer();
    }

    /** Classes cross once per worker: their buffer is not kept at the size of a large set. */
    private void releaseClassesBuffer() {
        if (classes.getBuffer().length > INITIAL_OUTPUT_BYTES) {
            classes.setBuffer(new byte[INITIAL_OUTPUT_BYTES], -1);
        }
    }

    /** Tells a worker to finish and exit: a message of its own, which needs no serialiser. */
    static void sendShutdown(ChronicleChannel channel) {
        try (Output shutdown = new Output(16)) {
            Protocol.writeHeader(shutdown, Protocol.SHUTDOWN);
            channel.send(shutdown.getBuffer(), shutdown.position());
        }
    }

    private void shrinkOutput() {
        if (retention.shrink(out.getBuffer().length, out.position())) {
            out.setBuffer(new byte[INITIAL_OUTPUT_BYTES], -1);
        }
    }
}
