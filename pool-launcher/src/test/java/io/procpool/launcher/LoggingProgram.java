package io.procpool.launcher;

import java.util.List;

/**
 * A parent JVM whose tasks print {@code task N} in a worker, and, with {@code -Dapp.log=true}, also log
 * {@code logged N} at DEBUG through the application's own SLF4J logger {@code app.task}; then it prints {@code done}.
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
        }
        System.out.println("done");
    }
}
