package io.procpool.launcher.internal.core;

import io.procpool.internal.Call;

/**
 * A call as the core tracks it: the call and its function, serialised once by the caller, with the id that workers
 * know it by.
 *
 * @param call          the call
 * @param functionId    the id its function has in every worker
 * @param functionBytes the function, serialised
 */
public record ActiveCall(Call call, long functionId, byte[] functionBytes) {
}
