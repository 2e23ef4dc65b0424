package io.procpool.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * File-system chores around queue directories. Deleting is best effort by design, since another process may be
 * removing the same files (a worker deleting a segment while the pool deletes the whole directory), and what is
 * left goes with the pool's directory or a later pool's clean-up.
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

    /**
     * @return the bytes free for this user on the file system of {@code directory}, or {@link Long#MAX_VALUE} where
     * that cannot be told (then nothing is refused on its account)
     */
    public static long usableBytes(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
