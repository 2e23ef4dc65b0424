/**
 * Keeps the libraries a pool's JVMs load (Chronicle, Hazelcast) quiet under whichever SLF4J provider the
 * application has. Public only so that the pools can use it; not part of the API contract and free to change.
 */
package io.procpool.worker.internal.logging;
