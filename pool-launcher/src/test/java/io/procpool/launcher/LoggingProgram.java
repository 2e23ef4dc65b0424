package io.procpool.launcher;

import java.util.List;

/**
 * A parent JVM whose tasks print {@code task N} in a worker, and, with {@code -Dapp.log=true}, also log
 * {@code logged N} at DEBUG through the application's own SLF4J logger {@code app.task}; then it sends a message large
 * enough to open Chronicle's queues on both sides, and prints {@code done}.
 */
public final class LoggingProgram {
    private LoggingProgram() {
    }

    public static void main(String[] args) {
        try (ProcessPool pool = ProcessPool.create(1)) {
            pool.map((Integer i) -> {
                System.out.println("task " + i);
                if (Boolean.getBoolean("app.log")) {
                    org.slf4j.LoggerFactory.getLogger("app.task").debug("logged {}", i);
                }
                return i;
            }, List.of(1, 2), 1);
            // A message too large for the start-up rings: both sides open their Chronicle queues now, so Chronicle
            // loads (and would log) in the parent and in the worker before the pool closes.
            byte[] large = new byte[512 * 1024]; // above the rings' size, below the size of arrays sent out of band
            if (pool.apply((byte[] b) -> b.length, large) != large.length) {
                throw new AssertionError("the large message came back changed");
            }
        }
        System.out.println("done");
    }
}
