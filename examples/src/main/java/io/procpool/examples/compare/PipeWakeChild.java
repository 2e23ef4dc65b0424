package io.procpool.examples.compare;

import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The other end of {@link IdleCosts}'s process wake-ups: blocks reading its stdin, as a sleeping worker does, and
 * answers each read with the {@link System#nanoTime()} it returned at. Ends at the end of its stdin.
 */
final class PipeWakeChild {
    private PipeWakeChild() {
    }

    /**
     * Runs the child.
     *
     * @param args none
     * @throws IOException if stdin or stdout fails
     */
    public static void main(String[] args) throws IOException {
        DataOutputStream out = new DataOutputStream(System.out);
        out.writeLong(IdleCosts.CHILD_HELLO);
        out.flush();
        try (FileChannel in = new FileInputStream(FileDescriptor.in).getChannel()) {
            ByteBuffer bytes = ByteBuffer.allocate(64);
            while (true) {
                bytes.clear();
                int read = in.read(bytes);
                long woken = System.nanoTime();
                if (read < 0) {
                    return;
                }
                out.writeLong(woken);
                out.flush();
            }
        }
    }
}
