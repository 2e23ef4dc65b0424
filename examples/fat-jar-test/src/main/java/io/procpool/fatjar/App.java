package io.procpool.fatjar;

import io.procpool.PoolException;
import io.procpool.Serialization;
import io.procpool.launcher.ProcessPool;

import java.util.List;

/**
 * A user's application at its smallest, for {@code FatJarIT} to run from a fat jar: squares 1, 2 and 3 in a worker
 * JVM and prints the results. Usage: {@code java -jar fat-jar-test.jar [KRYO|JAVA|FORY]}; a pool that cannot be
 * built prints its error and exits with status 3.
 */
public final class App {
    private App() {
    }

    /**
     * Runs the map on a one-worker pool with the serialisation the argument names, Kryo by default.
     *
     * @param args the serialisation's name, or nothing
     */
    public static void main(String[] args) {
        Serialization serialization = args.length > 0 ? Serialization.valueOf(args[0]) : Serialization.KRYO;
        try (ProcessPool pool = ProcessPool.builder().processes(1).serialization(serialization).build()) {
            System.out.println(pool.map((Integer i) -> i * i, List.of(1, 2, 3)));
        } catch (PoolException e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
