package io.procpool.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deletes queue directories: read segments, a dead worker's files, a closed pool's directory. Best effort by
 * design, since another process may be removing the same files (a worker deleting a segment while the pool deletes
 * the whole directory), and what is left goes with the pool's directory or a later pool's clean-up.
 */
public final class Directories {
    private Directories() {
    }

    /**
     * Deletes {@code root} and everything under it, as far as it can.
     */
    public static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Keep going: delete what can be deleted.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Already gone, or being removed by someone else.
        }
    }
}
