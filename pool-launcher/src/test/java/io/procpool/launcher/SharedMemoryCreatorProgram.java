package io.procpool.launcher;

import io.procpool.SharedMemory;

/** Creates a shared memory block, prints "block <name>", and waits to be killed: a creator that never unlinks. */
public final class SharedMemoryCreatorProgram {
    private SharedMemoryCreatorProgram() {
    }

    public static void main(String[] args) throws Exception {
        SharedMemory block = SharedMemory.of(new double[] {1, 2, 3});
        System.out.println("block " + block.name());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
