/**
 * How values cross the boundary: the {@link io.procpool.worker.internal.serial.ValueSerializer} interface and its
 * Kryo, Java and Fory implementations ({@link io.procpool.worker.internal.serial.ValueSerializers} makes them), the
 * per-class choices that keep a value's behaviour, the class allow-list, and how an exception crosses. Knows nothing
 * of messages. Public only so that both sides of a pool can use it; not part of the API contract and free to change.
 */
package io.procpool.worker.internal.serial;
