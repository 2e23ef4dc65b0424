package io.procpool.examples.compare;

/**
 * The ways of running a task that the comparison puts side by side. The names are what the tables, the JSON file
 * and the chart call them; the pool size is added where an engine has one.
 */
enum Engine {
    SEQUENTIAL("sequential", false),
    THREAD_POOL("ThreadPool", true),
    PROCESS_POOL("ProcessPool", true),
    CLUSTER_POOL("ClusterPool", true),
    EXECUTOR("ThreadPoolExecutor", true),
    PYTHON("Python Pool", true),
    /** PP4J ({@code net.viktorc:pp4j}), the other pool of child JVMs for Java: in the start-up section only. */
    PP4J("PP4J", true);

    private final String name;
    private final boolean sized;

    Engine(String name, boolean sized) {
        this.name = name;
        this.sized = sized;
    }

    /** @return the display name, with the number of workers for a pool, e.g. {@code ProcessPool(2)} */
    String label(int workers) {
        return sized ? name + "(" + workers + ")" : name;
    }
}
