package io.procpool.launcher.internal.core;

import io.procpool.internal.Call;
import io.procpool.worker.internal.protocol.ShippedClass;

import java.util.List;

/**
 * A call as the core tracks it: the call and its function, serialised once by the caller, with the id that workers
 * know it by.
 *
 * @param call          the call
 * @param functionId    the id its function has in every worker
 * @param functionBytes the function, serialised
 * @param classes       the classes that exist only in the parent's memory which the function needs, to be sent to
 *                      each worker that lacks them ahead of the function; empty for a function of the class path
 */
public record ActiveCall(Call call, long functionId, byte[] functionBytes, List<ShippedClass> classes) {
    /**
     * A call whose function's classes are all on the workers' class path.
     *
     * @param call          the call
     * @param functionId    the id its function has in every worker
     * @param functionBytes the function, serialised
     */
    public ActiveCall(Call call, long functionId, byte[] functionBytes) {
        this(call, functionId, functionBytes, List.of());
    }
}
