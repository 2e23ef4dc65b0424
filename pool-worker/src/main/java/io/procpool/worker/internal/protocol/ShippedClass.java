package io.procpool.worker.internal.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A class that exists only in the parent's memory (a class a single-file source program, a compact source file or a
 * jshell snippet defined), sent to workers by value: its binary name and its class file's bytes. Two with the same
 * name and different {@link #hash} are two versions of it (jshell redefines a class in place).
 *
 * @param name  the class's binary name, e.g. {@code Norms$P}
 * @param bytes its class file
 * @param hash  a digest of {@code bytes}, to tell versions apart without keeping the bytes
 */
public record ShippedClass(String name, byte[] bytes, long hash) {
    /**
     * Makes one, computing its hash.
     *
     * @param name  the class's binary name
     * @param bytes its class file
     * @return the class to send
     */
    public static ShippedClass of(String name, byte[] bytes) {
        return new ShippedClass(name, bytes, digest(bytes));
    }

    private static long digest(byte[] bytes) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes)).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
