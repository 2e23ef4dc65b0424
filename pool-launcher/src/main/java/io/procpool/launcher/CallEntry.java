package io.procpool.launcher;

import io.procpool.internal.Call;
import io.procpool.internal.PoolCounters;
import io.procpool.launcher.internal.core.ActiveCall;
import io.procpool.launcher.internal.core.Conductor;
import io.procpool.launcher.internal.core.DirectPath;

/**
 * Where a process pool's calls enter its core: each is given its function's entry in the {@link FunctionTable} and
 * handed to the conductor, or, when its caller waits for it and a worker is idle, run on the caller's thread
 * ({@link DirectPath}). Holds no state of its own beyond the parts it joins.
 */
final class CallEntry {
    private final ConductorHolder holder;
    private final FunctionTable functions;
    private final DirectPath directPath;
    private final PoolCounters counters;

    CallEntry(ConductorHolder holder, PoolConfig config, PoolCounters counters) {
        this.holder = holder;
        this.functions = new FunctionTable(config);
        this.directPath = new DirectPath(config.coreSettings(), counters);
        this.counters = counters;
    }

    /**
     * Hands a call to the conductor, starting the pool if it has not started.
     *
     * @param call        the call
     * @param callerWaits    whether its caller waits for it: then it may run on the caller's thread
     */
    void submit(Call call, boolean callerWaits) {
        Conductor loop = holder.running();
        call.onCancel(loop::cancelled);
        ActiveCall active = functions.activate(call, counters);
        if (!callerWaits || !directPath.tryRun(loop, active)) {
            loop.submit(active);
        }
    }

    /** {@return how many calls ran on their caller's thread} */
    long directCalls() {
        return directPath.callsRun();
    }

    /** {@return how many in-memory classes were sent to workers, once per worker and version (for tests)} */
    long classesSent() {
        return counters.classesToWorkers.sum();
    }
}
