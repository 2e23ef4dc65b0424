package io.procpool.launcher;

import com.esotericsoftware.kryo.io.Input;
import io.procpool.SerializationException;
import io.procpool.internal.Chunk;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.runtime.IdleStrategy;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.ValueSerializers;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler's choices, over channels that record what they are sent: no JVM is started. */
class DispatcherTest {
    /** A worker's channel that keeps every message sent to it and answers nothing. */
    private static final class RecordingChannel implements WorkerChannel {
        final List<byte[]> sent = new ArrayList<>();
        /** "wake" for each wakeAhead, and each message's type byte, in the order they came. */
        final List<String> events = new ArrayList<>();

        @Override
        public void send(byte[] bytes, int length) {
            sent.add(Arrays.copyOf(bytes, length));
            events.add(Byte.toString(Protocol.typeOf(bytes)));
        }

        /** @return the type byte of each message, in order */
        List<Byte> types() {
            return sent.stream().map(Protocol::typeOf).toList();
        }

        /** @return the first item index of each CHUNK message, in order */
        List<Long> chunkStarts() {
            List<Long> starts = new ArrayList<>();
            for (byte[] message : sent) {
                if (Protocol.typeOf(message) == Protocol.CHUNK) {
                    Input in = new Input(message);
                    Protocol.readHeader(in);
                    in.readVarLong(true); // seq
                    in.readVarLong(true); // call id
                    in.readVarLong(true); // function id
                    starts.add(in.readVarLong(true));
                }
            }
            return starts;
        }

        @Override
        public void wakeAhead() {
            events.add("wake");
        }

        @Override
        public boolean poll() {
            return false;
        }

        @Override
        public byte[] bytes() {
            return new byte[0];
        }

        @Override
        public int length() {
            return 0;
        }

        @Override
        public void beat(long nowNanos) {
        }

        @Override
        public long workerHeartbeatNanos() {
            return 0;
        }

        @Override
        public long itemStartedNanos() {
            return 0;
        }

        @Override
        public long currentChunk() {
            return 0;
        }

        @Override
        public void cancelCall(int slot, long callId) {
        }

        @Override
        public long skippedChunk() {
            return 0;
        }

        @Override
        public long currentItem() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private final PoolCounters counters = new PoolCounters();
    private final PoolConfig config = new PoolConfig(2, null, 0, 0, null, Duration.ofSeconds(10),
            Duration.ofSeconds(60), List.of(), Path.of("java"), null, IdleStrategy.Mode.BACKOFF,
            ClassFilter.ALLOW_ALL, "", io.procpool.Serialization.KRYO);
    private final Dispatcher dispatcher = new Dispatcher(config, new TasksProxy(
            ValueSerializers.create(io.procpool.Serialization.KRYO, ClassFilter.ALLOW_ALL, null), counters),
            new AtomicLong(1));

    private static WorkerProcess startingWorker(int slot, RecordingChannel channel) {
        WorkerProcess worker = new WorkerProcess(slot, Path.of("unused"), "test");
        worker.useChannel(channel);
        return worker;
    }

    private static WorkerProcess readyWorker(int slot, RecordingChannel channel) {
        WorkerProcess worker = startingWorker(slot, channel);
        worker.onReady(1000 + slot);
        return worker;
    }

    private ActiveCall call(List<Integer> items, int chunksize) {
        MapCall call = MapCall.ofList((Integer i) -> i + 1, items, chunksize);
        ActiveCall active = new ActiveCall(call, 7, new byte[]{1, 2, 3});
        dispatcher.add(active);
        return active;
    }

    @Test
    void shouldSendTheFunctionOnceThenChunksToTheLeastLoadedWorkerUpToItsCredit() {
        RecordingChannel first = new RecordingChannel();
        RecordingChannel second = new RecordingChannel();
        WorkerProcess[] workers = {readyWorker(0, first), readyWorker(1, second)};
        call(List.of(0, 1, 2, 3, 4, 5, 6, 7), 1);
        assertTrue(dispatcher.dispatch(workers));
        assertEquals(2, workers[0].inFlight.size(), "two chunks each before anything is measured");
        assertEquals(2, workers[1].inFlight.size());
        assertEquals(List.of(Protocol.FUNCTION, Protocol.CHUNK, Protocol.CHUNK), first.types());
        assertEquals(List.of(Protocol.FUNCTION, Protocol.CHUNK, Protocol.CHUNK), second.types());
        List<Long> all = new ArrayList<>(first.chunkStarts());
        all.addAll(second.chunkStarts());
        all.sort(null);
        assertEquals(List.of(0L, 1L, 2L, 3L), all, "the call's first four chunks, shared between the two");
        assertTrue(workers[0].hasFunction(7) && workers[1].hasFunction(7));
        String function = Byte.toString(Protocol.FUNCTION);
        String chunk = Byte.toString(Protocol.CHUNK);
        assertEquals(List.of("wake", function, chunk, "wake", chunk), first.events,
                "a sleeping worker is woken before each chunk is encoded, not after it is sent");
    }

    @Test
    void shouldSendAChunkToRunAgainBeforeAnythingNew() {
        RecordingChannel channel = new RecordingChannel();
        WorkerProcess[] workers = {readyWorker(0, channel)};
        ActiveCall active = call(List.of(0, 1, 2, 3, 4, 5), 2);
        Chunk first = active.call().nextChunk();
        dispatcher.resend(first);
        dispatcher.dispatch(workers);
        assertEquals(List.of(0L, 2L), channel.chunkStarts());
    }

    @Test
    void shouldLeaveAWorkerACallerHoldsAloneAndTakeBackOneThatIsOnlyOffered() {
        RecordingChannel lent = new RecordingChannel();
        RecordingChannel offered = new RecordingChannel();
        WorkerProcess[] workers = {readyWorker(0, lent), readyWorker(1, offered)};
        workers[0].lend();
        assertTrue(workers[0].borrow(), "a caller's thread takes it");
        workers[1].lend();
        call(List.of(0, 1, 2, 3), 1);
        dispatcher.dispatch(workers);
        assertEquals(List.of(), lent.sent, "nothing for the worker a caller drives");
        assertEquals(2, workers[1].inFlight.size());
        assertTrue(workers[1].heldByLoop(), "the offered worker was taken back");
        assertTrue(workers[0].isLent());
    }

    @Test
    void shouldNotSendToWorkersThatAreStartingRetiringShuttingDownOrBeingKilled() {
        RecordingChannel starting = new RecordingChannel();
        RecordingChannel retiring = new RecordingChannel();
        RecordingChannel shuttingDown = new RecordingChannel();
        RecordingChannel killed = new RecordingChannel();
        WorkerProcess[] workers = {startingWorker(0, starting), readyWorker(1, retiring),
            readyWorker(2, shuttingDown), readyWorker(3, killed)};
        workers[1].onRetiring();
        workers[2].onShutdownSent();
        workers[3].killReason = "test";
        call(List.of(0, 1), 1);
        assertEquals(false, dispatcher.dispatch(workers));
        assertEquals(List.of(), starting.sent);
        assertEquals(List.of(), retiring.sent);
        assertEquals(List.of(), shuttingDown.sent);
        assertEquals(List.of(), killed.sent);
    }

    @Test
    void shouldMoveAWorkerOnlyForwardThroughItsLife() {
        WorkerProcess worker = startingWorker(0, new RecordingChannel());
        assertEquals(WorkerProcess.State.STARTING, worker.state());
        assertThrows(IllegalStateException.class, worker::onRetiring, "not running chunks yet");
        worker.onReady(42);
        assertEquals(42, worker.pid());
        assertThrows(IllegalStateException.class, () -> worker.onReady(43), "ready twice is a protocol error");
        worker.onShutdownSent();
        assertThrows(IllegalStateException.class, worker::onShutdownSent);
        assertEquals(WorkerProcess.State.SHUTTING_DOWN, worker.onExited());
        assertEquals(WorkerProcess.State.EXITED, worker.state());
        WorkerProcess told = startingWorker(1, new RecordingChannel());
        told.onShutdownSent();
        told.onReady(7);
        assertEquals(WorkerProcess.State.SHUTTING_DOWN, told.state(), "told to shut down before it was ready");
    }

    @Test
    void shouldFailTheItemThatCannotBeSerialisedNamingItsClass() {
        RecordingChannel channel = new RecordingChannel();
        WorkerProcess[] workers = {readyWorker(0, channel)};
        List<Object> items = new ArrayList<>(List.of(0, 1, 2));
        items.set(1, new Thread());
        MapCall call = MapCall.ofList((Object o) -> o, items, 3);
        dispatcher.add(new ActiveCall(call, 8, new byte[]{1}));
        dispatcher.dispatch(workers);
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.future().get());
        SerializationException cause = assertInstanceOf(SerializationException.class, e.getCause());
        assertTrue(cause.getMessage().contains("item 1") && cause.getMessage().contains("java.lang.Thread"),
                cause.getMessage());
        assertEquals(List.of(0L), channel.chunkStarts(),
                "the item before it went in a chunk of its own; the map had failed by then, so no more were sent");
    }
}
