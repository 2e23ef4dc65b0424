package io.procpool.launcher.internal.core;

/**
 * How a slot ended, as its transport saw it: the exit code of its process, or why it could not even be started.
 *
 * @param slot          the slot
 * @param exitCode      the process's exit code (128 + n for signal n), or -1 when it never ran
 * @param launchFailure why it could not be started, or {@code null} if it ran
 */
public record SlotEnd(WorkerSlot slot, int exitCode, Throwable launchFailure) {
}
