package io.procpool.launcher;

import io.procpool.internal.Call;

/**
 * A call as the process pool tracks it: the call and its function, serialised once by the caller, with the id that
 * workers know it by.
 */
record ActiveCall(Call call, long functionId, byte[] functionBytes) {
}
