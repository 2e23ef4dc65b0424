package io.procpool.launcher.internal.core;

import com.esotericsoftware.kryo.io.Output;
import io.procpool.SerializationException;
import io.procpool.internal.Chunk;
import io.procpool.internal.MapCall;
import io.procpool.internal.PoolCounters;
import io.procpool.worker.internal.protocol.ChunkCodec;
import io.procpool.worker.internal.serial.ClassFilter;
import io.procpool.worker.internal.serial.KryoCodec;
import io.procpool.worker.internal.serial.ValueSerializers;
import io.procpool.worker.internal.protocol.Protocol;
import io.procpool.worker.internal.serial.ValueSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler's choices, over channels that record what they are sent, chunk by chunk: no JVM is started. */
class SchedulerTest {
    /**
     * A slot's channel that keeps every chunk sent to it and answers nothing: the core's fake channel, but recording
     * each message's type and encoding items as a worker's channel does, so that one that cannot be serialised is
     * refused as there.
     */
    static final class RecordingChannel extends FakeSlots.Channel {
        /** The type of each message sent (FUNCTION before a chunk, CHUNK), in order. */
        final List<Byte> sent = new ArrayList<>();
        /** "wake" for each wakeAhead, and each message's type, in the order they came. */
        final List<String> events = new ArrayList<>();
        /** The first item index of each chunk sent, in order. */
        final List<Long> starts = new ArrayList<>();
        private final ValueSerializer values =
                ValueSerializers.create(io.procpool.Serialization.KRYO, ClassFilter.ALLOW_ALL, null);
        private Chunk prepared;
        private boolean withFunction;
        private Throwable itemFailure;

        RecordingChannel() {
            super(0);
        }

        /** @return the type byte of each message, in order */
        List<Byte> types() {
            return sent;
        }

        /** @return the first item index of each chunk, in order */
        List<Long> chunkStarts() {
            return starts;
        }

        @Override
        public void wakeAhead() {
            events.add("wake");
        }

        @Override
        public int prepare(ActiveCall call, Chunk chunk, long seq, boolean withFunction) {
            int unwritten = ChunkCodec.writeItems(values, new Output(256, -1), chunk.items());
            if (unwritten >= 0) {
                itemFailure = ChunkCodec.takeItemFailure();
                return unwritten;
            }
            this.prepared = chunk;
            this.withFunction = withFunction;
            return -1;
        }

        @Override
        public void sendPrepared() {
            if (withFunction) {
                sent.add(Protocol.FUNCTION);
                events.add(Byte.toString(Protocol.FUNCTION));
            }
            sent.add(Protocol.CHUNK);
            events.add(Byte.toString(Protocol.CHUNK));
            starts.add(prepared.firstIndex());
        }

        @Override
        public SerializationException itemFailure(Chunk chunk, int index) {
            return KryoCodec.failure("could not serialise item " + (chunk.firstIndex() + index),
                    chunk.items()[index], itemFailure);
        }

        @Override
        public void sendShutdown() {
            sent.add(Protocol.SHUTDOWN);
        }
    }

    private final PoolCounters counters = new PoolCounters();
    private final Scheduler dispatcher = new Scheduler(0, counters, new AtomicLong(1));

    private static WorkerSlot startingWorker(int slot, RecordingChannel channel) {
        return new WorkerSlot(slot, 0, channel, Protocol.MAX_FUNCTIONS_PER_WORKER);
    }

    private static WorkerSlot readyWorker(int slot, RecordingChannel channel) {
        WorkerSlot worker = startingWorker(slot, channel);
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
        WorkerSlot[] workers = {readyWorker(0, first), readyWorker(1, second)};
        call(List.of(0, 1, 2, 3, 4, 5, 6, 7), 1);
        assertTrue(dispatcher.dispatch(workers, false));
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
    void shouldSendWaitingCallsInSubmissionOrderAfterAFinishedCallAheadOfThemIsDropped() {
        RecordingChannel channel = new RecordingChannel();
        WorkerSlot[] workers = {readyWorker(0, channel)};
        ActiveCall done = call(List.of(0), 1);
        dispatcher.dispatch(workers, false);
        // It ends and its chunk is accounted for: finished, so the next reap drops it, ahead of the turn.
        done.call().end(new io.procpool.PoolException("ended"));
        done.call().abandon(workers[0].inFlight.poll().chunk());
        ActiveCall first = call(List.of(10), 1);
        ActiveCall second = call(List.of(20), 1);
        assertEquals(2, dispatcher.pending(), "the finished call was dropped");
        dispatcher.dispatch(workers, false);
        assertEquals(List.of(0L, 0L, 0L), channel.chunkStarts());
        assertEquals(List.of(first.call(), second.call()),
                workers[0].inFlight.stream().map(sent -> sent.chunk().call()).toList(),
                "the call submitted first is sent first");
    }

    @Test
    void shouldSendAChunkToRunAgainBeforeAnythingNew() {
        RecordingChannel channel = new RecordingChannel();
        WorkerSlot[] workers = {readyWorker(0, channel)};
        ActiveCall active = call(List.of(0, 1, 2, 3, 4, 5), 2);
        Chunk first = active.call().nextChunk();
        dispatcher.resend(first);
        dispatcher.dispatch(workers, false);
        assertEquals(List.of(0L, 2L), channel.chunkStarts());
    }

    @Test
    void shouldLeaveAWorkerACallerHoldsAloneAndTakeBackOneThatIsOnlyOffered() {
        RecordingChannel lent = new RecordingChannel();
        RecordingChannel offered = new RecordingChannel();
        WorkerSlot[] workers = {readyWorker(0, lent), readyWorker(1, offered)};
        workers[0].lend();
        assertTrue(workers[0].borrow(), "a caller's thread takes it");
        workers[1].lend();
        call(List.of(0, 1, 2, 3), 1);
        dispatcher.dispatch(workers, false);
        assertEquals(List.of(), lent.sent, "nothing for the worker a caller drives");
        assertEquals(2, workers[1].inFlight.size());
        assertTrue(workers[1].heldByConductor(), "the offered worker was taken back");
        assertTrue(workers[0].isLent());
    }

    @Test
    void shouldNotSendToWorkersThatAreStartingRetiringShuttingDownOrBeingKilled() {
        RecordingChannel starting = new RecordingChannel();
        RecordingChannel retiring = new RecordingChannel();
        RecordingChannel shuttingDown = new RecordingChannel();
        RecordingChannel killed = new RecordingChannel();
        WorkerSlot[] workers = {startingWorker(0, starting), readyWorker(1, retiring),
            readyWorker(2, shuttingDown), readyWorker(3, killed)};
        workers[1].onRetiring();
        workers[2].onShutdownSent();
        workers[3].channel().kill("test");
        call(List.of(0, 1), 1);
        assertEquals(false, dispatcher.dispatch(workers, false));
        assertEquals(List.of(), starting.sent);
        assertEquals(List.of(), retiring.sent);
        assertEquals(List.of(), shuttingDown.sent);
        assertEquals(List.of(), killed.sent);
    }

    @Test
    void shouldMoveAWorkerOnlyForwardThroughItsLife() {
        WorkerSlot worker = startingWorker(0, new RecordingChannel());
        assertEquals(WorkerSlot.State.STARTING, worker.state());
        assertThrows(IllegalStateException.class, worker::onRetiring, "not running chunks yet");
        worker.onReady(42);
        assertEquals(42, worker.pid());
        assertThrows(IllegalStateException.class, () -> worker.onReady(43), "ready twice is a protocol error");
        worker.onShutdownSent();
        assertThrows(IllegalStateException.class, worker::onShutdownSent);
        assertEquals(WorkerSlot.State.SHUTTING_DOWN, worker.onExited());
        assertEquals(WorkerSlot.State.EXITED, worker.state());
        WorkerSlot told = startingWorker(1, new RecordingChannel());
        told.onShutdownSent();
        told.onReady(7);
        assertEquals(WorkerSlot.State.SHUTTING_DOWN, told.state(), "told to shut down before it was ready");
    }

    @Test
    void shouldFailTheItemThatCannotBeSerialisedNamingItsClass() {
        RecordingChannel channel = new RecordingChannel();
        WorkerSlot[] workers = {readyWorker(0, channel)};
        List<Object> items = new ArrayList<>(List.of(0, 1, 2));
        items.set(1, new Thread());
        MapCall call = MapCall.ofList((Object o) -> o, items, 3);
        dispatcher.add(new ActiveCall(call, 8, new byte[]{1}));
        dispatcher.dispatch(workers, false);
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.future().get());
        SerializationException cause = assertInstanceOf(SerializationException.class, e.getCause());
        assertTrue(cause.getMessage().contains("item 1") && cause.getMessage().contains("java.lang.Thread"),
                cause.getMessage());
        assertEquals(List.of(0L), channel.chunkStarts(),
                "the item before it went in a chunk of its own; the map had failed by then, so no more were sent");
    }
}
