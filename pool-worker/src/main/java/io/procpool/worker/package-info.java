/**
 * The worker JVM's main class ({@link io.procpool.worker.WorkerMain}), which a pool starts, and the JVM flags a
 * parent JVM needs ({@link io.procpool.worker.JvmFlags}). What both sides of the process boundary speak lives in
 * {@code io.procpool.worker.internal}: serialisation ({@code .serial}), the wire protocol ({@code .protocol}), the
 * transport ({@code .transport}), the worker's runtime ({@code .runtime}) and quiet logging ({@code .logging}); it
 * is not part of the API and is free to change.
 */
package io.procpool.worker;
