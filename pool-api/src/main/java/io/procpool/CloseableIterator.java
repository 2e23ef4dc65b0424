package io.procpool;

import java.util.Iterator;

/**
 * The results of an {@code imap} or {@code imapUnordered} call, read as they come. Reading to the end, or to a
 * failure that ends the call, needs no closing; an iterator abandoned before that should be closed, so that the
 * pool stops reading its items and drops its chunks that have not started:
 *
 * <pre>{@code
 * try (CloseableIterator<String> lines = pool.imap(Parser::parse, Files.readAllLines(path))) {
 *     while (lines.hasNext()) {
 *         String line = lines.next();
 *         if (line.isEmpty()) {
 *             break; // the rest of the file is never parsed
 *         }
 *     }
 * }
 * }</pre>
 *
 * @param <R> the type of the results
 */
public interface CloseableIterator<R> extends Iterator<R>, AutoCloseable {
    /**
     * Abandons the call: no more of its items are read and its chunks that have not started never run. Chunks
     * already running finish (a worker is not killed for them) and their results are dropped. Afterwards
     * {@link #hasNext()} returns {@code false}. Closing twice, or after the last result, does nothing.
     */
    @Override
    void close();
}
