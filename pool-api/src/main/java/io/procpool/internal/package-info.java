/**
 * Machinery shared by the pools of procpool: how a call's items are read, split into chunks and bounded, and how
 * outcomes reach the caller in item or completion order. Public only so that both {@code ThreadPool} and
 * {@code ProcessPool} can use it; not part of the API contract and free to change.
 */
package io.procpool.internal;
