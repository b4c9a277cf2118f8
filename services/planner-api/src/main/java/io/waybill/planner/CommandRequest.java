package io.waybill.planner;

import io.waybill.contract.CancelCommand;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.RerouteCommand;
import io.waybill.contract.StartReturnCommand;
import io.waybill.contract.UpdatePromiseCommand;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A planner's command on one shipment, as posted: {@code type} is REROUTE, HOLD, RELEASE, CANCEL,
 * UPDATE_PROMISE or RETURN_TO_SENDER; the other fields depend on it. {@code idempotencyKey} (optional) makes a retried
 * POST the same command.
 */
public record CommandRequest(String type, String reason, String until, String promisedDeliveryAt,
                             String viaFacilityId, List<String> avoidFacilityIds, List<String> avoidLaneIds,
                             String idempotencyKey) {

    static final Set<String> TYPES = Set.of("REROUTE", "HOLD", "RELEASE", "CANCEL", "UPDATE_PROMISE", "RETURN_TO_SENDER");

    /** The Avro payload, or the list of what is wrong with the request. */
    record Parsed(Object payload, List<Violation> violations) {
    }

    Parsed parse(Instant now) {
        List<Violation> v = new ArrayList<>();
        if (type == null || !TYPES.contains(type)) {
            v.add(new Violation("type", "must be one of " + TYPES.stream().sorted().toList()));
            return new Parsed(null, v);
        }
        Object payload = switch (type) {
            case "HOLD" -> {
                require("reason", reason, v);
                Instant until = instant("until", this.until, v);
                if (until != null && !until.isAfter(now)) v.add(new Violation("until", "must be in the future"));
                yield new HoldCommand(reason, until);
            }
            case "RELEASE" -> new ReleaseCommand(reason);
            case "CANCEL" -> {
                require("reason", reason, v);
                yield new CancelCommand(reason);
            }
            case "UPDATE_PROMISE" -> {
                Instant promise = instant("promisedDeliveryAt", promisedDeliveryAt, v);
                if (promisedDeliveryAt == null) v.add(new Violation("promisedDeliveryAt", "is required"));
                yield promise == null ? null : new UpdatePromiseCommand(promise);
            }
            case "REROUTE" -> {
                boolean any = viaFacilityId != null || (avoidFacilityIds != null && !avoidFacilityIds.isEmpty())
                        || (avoidLaneIds != null && !avoidLaneIds.isEmpty());
                if (!any) v.add(new Violation("viaFacilityId", "a reroute needs viaFacilityId, avoidFacilityIds or avoidLaneIds"));
                yield new RerouteCommand(viaFacilityId, avoidFacilityIds == null ? List.of() : avoidFacilityIds,
                        avoidLaneIds == null ? List.of() : avoidLaneIds);
            }
            case "RETURN_TO_SENDER" -> {
                require("reason", reason, v);
                yield new StartReturnCommand(reason);
            }
            default -> null;
        };
        Responses.checkIdempotencyKey(idempotencyKey, v);
        return new Parsed(v.isEmpty() ? payload : null, v);
    }

    private static void require(String field, String value, List<Violation> v) {
        if (value == null || value.isBlank()) v.add(new Violation(field, "is required"));
    }

    private static Instant instant(String field, String value, List<Violation> v) {
        if (value == null) return null;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            v.add(new Violation(field, "must be an ISO-8601 instant such as 2026-11-02T08:15:00Z"));
            return null;
        }
    }
}
