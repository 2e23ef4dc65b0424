package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.internal.Chunk;
import io.procpool.launcher.internal.core.SlotReports;
import io.procpool.worker.internal.serial.Failures;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.protocol.ResultDecoder;
import io.procpool.worker.internal.serial.ValueSerializer;

/**
 * Decodes what a worker JVM sends (ready, results, retiring, a failed initializer) from its channel, rebuilding the
 * results, and hands each to the core as a {@link SlotReports} report. Used by the thread that holds the worker.
 */
final class ResultsAdapter {
    private final ChronicleChannel channel;
    private final ValueSerializer values;
    private final WorkerStartup startup;
    private final Input in = new Input();

    ResultsAdapter(ChronicleChannel channel, ValueSerializer values, WorkerStartup startup) {
        this.channel = channel;
        this.values = values;
        this.startup = startup;
    }

    /** Reads at most {@code max} messages, without waiting; {@return how many it read} */
    int poll(SlotReports reports, int max) {
        int read = 0;
        while (read < max && channel.poll()) {
            read++;
            handle(reports);
        }
        return read;
    }

    private void handle(SlotReports reports) {
        in.setBuffer(channel.bytes(), 0, channel.length());
        byte type = Protocol.readHeader(in);
        switch (type) {
            case Protocol.READY:
                long pid = in.readVarLong(true);
                startup.readStamps(in);
                reports.ready(pid);
                break;
            case Protocol.INIT_FAILED:
                reports.initFailed(Failures.read(values, in));
                break;
            case Protocol.RESULT:
                if (startup.firstResultMicros == 0) {
                    startup.firstResultMicros = Protocol.epochMicros();
                }
                onResult(reports);
                break;
            case Protocol.RETIRING:
                reports.retiring();
                break;
            case Protocol.BYE:
                break;
            default:
                throw new IllegalStateException("unknown message type " + type);
        }
    }

    private void onResult(SlotReports reports) {
        long start = System.nanoTime();
        int length = channel.length();
        Chunk chunk = reports.answering(in.readVarLong(true));
        int count = in.readVarInt(true);
        ResultDecoder.Outcomes outcomes = ResultDecoder.decode(values, in, chunk, count);
        long bytes = length + values.takeOutOfBandBytes();
        reports.answered(outcomes, bytes, System.nanoTime() - start);
    }
}
