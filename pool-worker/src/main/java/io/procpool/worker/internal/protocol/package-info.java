/**
 * The wire protocol: the messages, their types and version ({@link io.procpool.worker.internal.protocol.Protocol}),
 * the bytes of a chunk's items and outcomes ({@link io.procpool.worker.internal.protocol.ChunkCodec}) and their
 * reading back ({@link io.procpool.worker.internal.protocol.ResultDecoder}). Public only so that both sides of a
 * pool can use it; not part of the API contract and free to change.
 */
package io.procpool.worker.internal.protocol;
