package io.procpool;

import io.procpool.internal.SharedBlocks;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fails a test class that leaves a {@link SharedMemory} block made by this JVM behind: the suite unlinks what it
 * creates. Registered for every test class of the modules that use pool-api's tests, by autodetection (see
 * junit-platform.properties). It removes what it found, so that one leak fails one class, not every later one.
 */
public final class NoSharedMemoryLeft implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<Path> left = SharedBlocks.createdBy(ProcessHandle.current().pid());
        for (Path block : left) {
            Files.deleteIfExists(block);
        }
        if (!left.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left shared memory blocks behind (removed now): "
                    + left + "; a test unlinks every block it creates");
        }
    }
}
