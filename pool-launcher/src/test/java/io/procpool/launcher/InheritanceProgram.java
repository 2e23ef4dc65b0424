package io.procpool.launcher;

import java.util.List;

/**
 * A parent JVM started with {@code -D} properties: prints what a task in each of three workers sees of them, and
 * each worker's maximum heap, as {@code mode=...} and {@code heap=...} lines, then {@code done}.
 */
public final class InheritanceProgram {
    private InheritanceProgram() {
    }

    public static void main(String[] args) {
        try (ProcessPool pool = ProcessPool.create(3)) {
            for (String seen : pool.map((Integer i) -> "mode=" + System.getProperty("app.mode") + " heap="
                    + Runtime.getRuntime().maxMemory(), List.of(1, 2, 3), 1)) {
                System.out.println(seen);
            }
        }
        System.out.println("done");
    }
}
