/**
 * The worker's runtime: its start ({@link io.procpool.worker.internal.runtime.WorkerRuntime}), message loop, exit
 * and watch of its parent, and the chunk runner a cluster member also runs; the idle strategy and clock of every
 * polling loop. Public only so that the pools can use it; not part of the API contract and free to change.
 */
package io.procpool.worker.internal.runtime;
