/**
 * How a worker's messages travel: its directory's layout, the status descriptor both sides share, the start-up
 * rings that carry the first messages, and the Chronicle queues after them. Knows nothing of what the messages say.
 * Public only so that both sides of a pool can use it; not part of the API contract and free to change.
 */
package io.procpool.worker.internal.transport;
