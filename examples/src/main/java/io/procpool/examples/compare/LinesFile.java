package io.procpool.examples.compare;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A temporary text file of numbered short lines, and an {@link Iterable} over them that reads the file lazily: the
 * input of the {@code imap} workload, which must reach the pools the way a large file would, one line at a time and
 * never all in memory. Each {@link #iterator()} opens the file afresh, so every repetition reads it again;
 * {@link #close()} closes what is still open and deletes the file.
 */
final class LinesFile implements Iterable<String>, AutoCloseable {
    /** Words after the line's number; each line takes one to five of them, so lines differ in their word count. */
    private static final String[] WORDS = {"some", "words", "to", "count", "here"};

    private final Path path;
    private final int lines;
    /** Readers opened and not yet read to the end: a pool that fails stops reading, and they must still close. */
    private final List<BufferedReader> open = new ArrayList<>();

    private LinesFile(Path path, int lines) {
        this.path = path;
        this.lines = lines;
    }

    /**
     * Writes {@code lines} lines such as {@code "line 123456 some words to"} to a new temporary file.
     */
    static LinesFile write(int lines) throws IOException {
        Path path = Files.createTempFile("procpool-compare-lines-", ".txt");
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                out.write("line ");
                out.write(Integer.toString(i));
                for (int w = 0; w <= i % WORDS.length; w++) {
                    out.write(' ');
                    out.write(WORDS[w]);
                }
                out.newLine();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
        return new LinesFile(path, lines);
    }

    /** @return where the file is, for a reader in another process (Python's) */
    Path path() {
        return path;
    }

    /** @return how many lines the file has */
    int lines() {
        return lines;
    }

    /**
     * Opens the file and returns an iterator over its lines that reads one line ahead and closes the file at its
     * end. A pool may call it from one of its own threads; it is used by one thread at a time.
     *
     * @throws UncheckedIOException if the file cannot be opened or read
     */
    @Override
    public Iterator<String> iterator() {
        BufferedReader reader;
        try {
            reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (open) {
            open.add(reader);
        }
        return new Iterator<>() {
            private String next = read();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public String next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                String line = next;
                next = read();
                return line;
            }

            /** @return the next line, or null at the end, where the file is closed at once */
            private String read() {
                try {
                    String line = reader.readLine();
                    if (line == null) {
                        closeReader(reader);
                    }
                    return line;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Closes a reader that reached the end, and forgets it, so that {@link #close()} does not close it again. */
    private void closeReader(BufferedReader reader) throws IOException {
        synchronized (open) {
            open.remove(reader);
        }
        reader.close();
    }

    /** Closes every reader still open and deletes the file; a file that cannot be deleted is left behind. */
    @Override
    public void close() {
        List<BufferedReader> readers;
        synchronized (open) {
            readers = new ArrayList<>(open);
            open.clear();
        }
        for (BufferedReader reader : readers) {
            try {
                reader.close();
            } catch (IOException e) {
                // Closing for the sake of tidiness; the file is deleted next either way.
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A temporary file left behind is not worth failing the run for, as PythonBridge also decides.
        }
    }
}
