package dev.vane.gateway.audit;

import java.time.Instant;

/**
 * One write, or refused write, on the control plane.
 *
 * @param id      assigned by the log (a stream id, or a sequence number)
 * @param time    when
 * @param actor   who: a token's name, or the client address when unauthenticated
 * @param address the client's address
 * @param action  what, e.g. {@code config.replace}, {@code experiment.ramp}, {@code auth.denied}
 * @param target  what it applied to (an experiment id, {@code config})
 * @param version the config version it produced, or null
 * @param status  the HTTP status it was answered with
 * @param message the author's reason, or why it was refused
 * @param diff    the change as a unified diff, or null
 */
public record AuditEntry(String id, Instant time, String actor, String address, String action, String target,
    Long version, int status, String message, String diff) {}
