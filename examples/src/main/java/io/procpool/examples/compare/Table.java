package io.procpool.examples.compare;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: a title, a header row, aligned columns (the first left-aligned, figures right-aligned), and
 * notes under it that say how to read the figures.
 */
final class Table {
    private final String title;
    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title, String... headers) {
        this.title = title;
        this.headers = headers;
    }

    Table row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of "
                    + headers.length + " columns: " + Arrays.toString(cells));
        }
        rows.add(cells);
        return this;
    }

    Table note(String note) {
        notes.add(note);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        out.println(title);
        out.println("  " + line(headers, widths));
        StringBuilder rule = new StringBuilder();
        for (int width : widths) {
            rule.append(rule.length() == 0 ? "" : "  ").append("-".repeat(width));
        }
        out.println("  " + rule);
        if (rows.isEmpty()) {
            out.println("  (no figures: see the notes at the end)");
        }
        for (String[] row : rows) {
            out.println("  " + line(row, widths));
        }
        for (String note : notes) {
            out.println("  " + note);
        }
        out.println();
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String format = i == 0 ? "%-" + widths[i] + "s" : "%" + widths[i] + "s";
            line.append(String.format(format, cells[i]));
        }
        return line.toString().stripTrailing();
    }
}
