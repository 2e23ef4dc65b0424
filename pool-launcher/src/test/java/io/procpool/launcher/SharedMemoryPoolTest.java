package io.procpool.launcher;

import io.procpool.Serialization;
import io.procpool.SharedMemory;
import io.procpool.internal.SharedBlocks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.DoubleBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocks crossing to real workers: read in place, written in place for the parent, as an item, a result or a
 * captured value, under each serialisation; and a block whose creator was killed, removed by the next pool.
 */
class SharedMemoryPoolTest {
    private static final int SLICES = 16;
    private static final int PER_SLICE = 1 << 16;

    private static ProcessPool pool;

    @BeforeAll
    static void start() {
        pool = ProcessPool.create(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void tasksSumTheirSlicesOfABlockReadInPlace() {
        double[] values = IntStream.range(0, SLICES * PER_SLICE).asDoubleStream().toArray();
        SharedMemory input = SharedMemory.of(values);
        try {
            long before = pool.stats().bytesToWorkers();
            List<Double> sums = pool.map((Integer slice) -> {
                DoubleBuffer all = input.doubles();
                double sum = 0;
                for (int i = slice * PER_SLICE; i < (slice + 1) * PER_SLICE; i++) {
                    sum += all.get(i);
                }
                return sum;
            }, IntStream.range(0, SLICES).boxed().collect(Collectors.toList()), 1);
            double expected = 0;
            for (int slice = 0; slice < SLICES; slice++) {
                double sum = 0;
                for (int i = slice * PER_SLICE; i < (slice + 1) * PER_SLICE; i++) {
                    sum += values[i];
                }
                assertEquals(sum, sums.get(slice), "slice " + slice);
                expected += sum;
            }
            assertTrue(expected > 0);
            long crossed = pool.stats().bytesToWorkers() - before;
            assertTrue(crossed < 64 << 10, "the block's name crossed, not its " + input.size() + " bytes: "
                    + crossed + " bytes");
        } finally {
            input.unlink();
        }
    }

    @Test
    void whatTasksWroteIsThereForTheParentOnceMapReturns() {
        SharedMemory output = SharedMemory.create((long) SLICES * PER_SLICE * Double.BYTES);
        try {
            List<Long> pids = pool.map((Integer slice) -> {
                DoubleBuffer all = output.doubles();
                for (int i = slice * PER_SLICE; i < (slice + 1) * PER_SLICE; i++) {
                    all.put(i, i * 0.5 + slice);
                }
                return ProcessHandle.current().pid();
            }, IntStream.range(0, SLICES).boxed().collect(Collectors.toList()), 1);
            assertTrue(pids.stream().noneMatch(pid -> pid == ProcessHandle.current().pid()));
            DoubleBuffer all = output.doubles();
            for (int i = 0; i < SLICES * PER_SLICE; i++) {
                assertEquals(i * 0.5 + i / PER_SLICE, all.get(i), "element " + i);
            }
        } finally {
            output.unlink();
        }
    }

    @ParameterizedTest
    @EnumSource(Serialization.class)
    void aBlockCrossesAsAnItemAResultAndACapturedValue(Serialization serialization) {
        ProcessPool own = serialization == Serialization.KRYO ? null
                : ProcessPool.builder().processes(1).serialization(serialization).build();
        ProcessPool on = own != null ? own : pool;
        SharedMemory block = SharedMemory.of(new long[] {10, 20, 30});
        SharedMemory made = null;
        try {
            // As an item, written through by the worker.
            assertEquals(20L, (long) on.apply((SharedMemory b) -> {
                b.longs().put(2, 31);
                return b.longs().get(1);
            }, block));
            assertEquals(31L, block.longs().get(2));
            // Captured by the task, and returned as its result: the same block, the same memory.
            SharedMemory back = on.apply((Integer i) -> block, 0);
            assertEquals(block, back);
            back.longs().put(0, 11);
            assertEquals(11L, block.longs().get(0));
            // Made by a task in the worker, filled there, read here.
            made = on.apply((Integer n) -> {
                SharedMemory fresh = SharedMemory.create(n);
                fresh.buffer().put(n - 1, (byte) 7);
                return fresh;
            }, 16);
            assertEquals(16, made.size());
            assertEquals(7, made.buffer().get(15));
        } finally {
            block.unlink();
            if (made != null) {
                made.unlink();
            }
            if (own != null) {
                own.close();
            }
        }
    }

    @Test
    void aBlockWhoseCreatorWasKilledIsRemovedByTheNextPool() throws Exception {
        Process creator = Workers.startJvm(SharedMemoryCreatorProgram.class);
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(creator.getInputStream(),
                    StandardCharsets.UTF_8));
            String name = Workers.awaitLine(lines, "block ").substring("block ".length());
            try (SharedMemory attached = SharedMemory.attach(name)) {
                assertEquals(3.0, attached.doubles().get(2), "the block exists while its creator lives");
            }
            try (ProcessPool whileAlive = ProcessPool.create(1)) {
                assertEquals(1, whileAlive.apply((Integer i) -> i, 1)); // leaves the live creator's block alone
            }
            assertEquals(List.of(name), names(SharedBlocks.createdBy(creator.pid())));

            creator.destroyForcibly(); // SIGKILL: no chance to unlink
            assertTrue(creator.waitFor(10, TimeUnit.SECONDS));
            assertEquals(List.of(name), names(SharedBlocks.createdBy(creator.pid())), "left by the kill");
            try (ProcessPool next = ProcessPool.create(1)) {
                assertEquals(1, next.apply((Integer i) -> i, 1));
            }
            assertEquals(List.of(), SharedBlocks.createdBy(creator.pid()), "removed by the next pool");
        } finally {
            creator.destroyForcibly();
        }
    }

    private static List<String> names(List<java.nio.file.Path> blocks) {
        return blocks.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
}
