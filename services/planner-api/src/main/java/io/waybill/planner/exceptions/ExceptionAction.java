package io.waybill.planner.exceptions;

import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.planner.Responses;
import io.waybill.planner.Violation;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of an action on an exception: {@code note} (required to resolve), {@code until} (an ISO
 * instant in the future, required to snooze) and an optional {@code idempotencyKey}.
 */
public record ExceptionAction(String note, String until, String idempotencyKey) {

    static final int MAX_NOTE = 2000;

    /** What the planner does to the exception. */
    public enum Kind { ACKNOWLEDGE, RESOLVE, SNOOZE }

    record Parsed(Object payload, List<Violation> violations) {
    }

    Parsed parse(Kind kind, String exceptionId, Instant now) {
        List<Violation> v = new ArrayList<>();
        if (note != null && note.length() > MAX_NOTE) v.add(new Violation("note", "must be at most " + MAX_NOTE + " characters"));
        Responses.checkIdempotencyKey(idempotencyKey, v);
        Object payload = switch (kind) {
            case ACKNOWLEDGE -> new AcknowledgeExceptionCommand(exceptionId, note);
            case RESOLVE -> {
                if (note == null || note.isBlank()) v.add(new Violation("note", "is required: say how it was resolved"));
                yield new ResolveExceptionCommand(exceptionId, note);
            }
            case SNOOZE -> {
                Instant until = null;
                if (this.until == null) {
                    v.add(new Violation("until", "is required"));
                } else {
                    try {
                        until = Instant.parse(this.until);
                        if (!until.isAfter(now)) v.add(new Violation("until", "must be in the future"));
                    } catch (DateTimeParseException e) {
                        v.add(new Violation("until", "must be an ISO-8601 instant such as 2026-11-02T08:15:00Z"));
                    }
                }
                yield until == null ? null : new SnoozeExceptionCommand(exceptionId, until, note);
            }
        };
        return new Parsed(v.isEmpty() ? payload : null, v);
    }
}
