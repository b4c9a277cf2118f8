package io.waybill.planner.exceptions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.Severity;
import io.waybill.planner.EngineClient;
import io.waybill.planner.Filters;
import io.waybill.planner.KafkaPublisher;
import io.waybill.planner.Responses;
import io.waybill.planner.Violation;
import io.waybill.planner.auth.Caller;
import io.waybill.planner.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Operational exceptions: lists and counts across the engine instances, and planners' actions on one
 * exception (acknowledge, resolve, snooze), which become planner commands on its shipment.
 */
@Path("/api/v1/exceptions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "exceptions", description = "Exceptions raised on shipments (missed scans, SLA breaches, misroutes, ...) and the planner actions on them")
public class ExceptionResource {

    static final Set<String> STATUSES = Filters.symbols(ExceptionStatus.class);
    static final Set<String> TYPES = Filters.allSymbols(ExceptionType.class);
    static final Set<String> SEVERITIES = Filters.allSymbols(Severity.class);
    static final Set<String> CLOSED = Set.of(ExceptionStatus.RESOLVED.name(), ExceptionStatus.AUTO_RESOLVED.name());
    static final int MAX_LIMIT = 500;

    @Inject
    EngineClient engine;

    @Inject
    KafkaPublisher publisher;

    @Inject
    SecurityIdentity identity;

    private final Clock clock = Clock.systemUTC();

    public record Accepted(String commandId, String exceptionId, String shipmentId, String type) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "listExceptions", summary = "Exceptions by status (OPEN by default), facility, type, severity and age, cursor-paginated",
            description = "Asks every engine instance; items carry exceptionId, shipmentId, type, severity, status, facilityId, detectedAt, "
                    + "updatedAt, cause, actions, occurrences, escalationLevel, escalateAt, acknowledgedAt/By, resolvedAt/By, snoozedUntil, note. "
                    + "olderThan is an ISO-8601 duration (PT2H: detected more than two hours ago).")
    @APIResponse(responseCode = "200", description = "items, nextCursor, unavailableInstances")
    @APIResponse(responseCode = "400", description = "An unknown status, type or severity, a malformed olderThan or a bad limit; every violation is listed")
    @APIResponse(responseCode = "503", description = "No engine instance can answer now; see Retry-After")
    public Response list(@QueryParam("status") @DefaultValue("OPEN") String status, @QueryParam("facility") String facility,
                         @QueryParam("type") String type, @QueryParam("severity") String severity,
                         @Parameter(description = "ISO-8601 duration, e.g. PT2H") @QueryParam("olderThan") String olderThan,
                         @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        List<Violation> violations = new ArrayList<>();
        Filters.oneOf("status", status, STATUSES, violations);
        Filters.oneOf("type", type, TYPES, violations);
        Filters.oneOf("severity", severity, SEVERITIES, violations);
        Filters.duration("olderThan", olderThan, violations);
        Filters.limit(limit, MAX_LIMIT, violations);
        if (!violations.isEmpty()) return Responses.badRequest("invalid query", violations);
        StringBuilder query = new StringBuilder("/internal/exceptions?limit=").append(limit);
        Filters.param(query, "status", status);
        Filters.param(query, "facility", facility);
        Filters.param(query, "type", type);
        Filters.param(query, "severity", severity);
        Filters.param(query, "olderThan", olderThan);
        Filters.param(query, "cursor", cursor);
        return Responses.degraded(() -> Responses.passThrough(engine.get(query.toString())));
    }

    @GET
    @Path("/counts")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "countOpenExceptions", summary = "Counts of open exceptions by facility, type and severity, across all engine instances")
    @APIResponse(responseCode = "200", description = "byFacility, byType, bySeverity, unavailableInstances",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "counts",
                    value = "{\"byFacility\": {\"BER-HUB\": 3}, \"byType\": {\"MISSED_SCAN\": 2, \"DAMAGED\": 1}, \"bySeverity\": {\"HIGH\": 1, \"MEDIUM\": 2}, \"unavailableInstances\": []}")))
    @APIResponse(responseCode = "503", description = "No engine instance can answer now; see Retry-After")
    public Response counts() {
        return Responses.degraded(() -> Responses.passThrough(engine.get("/internal/exceptions/counts")));
    }

    @POST
    @Path("/{exceptionId}/acknowledge")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.PLANNER)
    @Operation(operationId = "acknowledgeException", summary = "Acknowledge an exception: somebody is on it (stops its escalation)",
            description = "exceptionId is <shipmentId>:<TYPE>:<n>. Published as a planner command on the shipment, issued by the token's subject; "
                    + "read it back with GET /shipments/{shipmentId}?afterCommand=<commandId>.")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples =
            @ExampleObject(name = "acknowledge", value = "{\"note\": \"calling the hub\", \"idempotencyKey\": \"ack-1\"}")))
    @APIResponse(responseCode = "202", description = "Accepted: commandId, exceptionId, shipmentId, type",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "accepted",
                    value = "{\"commandId\": \"5d0c...\", \"exceptionId\": \"DEMO-1:MISSED_SCAN:1\", \"shipmentId\": \"DEMO-1\", \"type\": \"ACKNOWLEDGE\"}")))
    @APIResponse(responseCode = "400", description = "A malformed exceptionId or body; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such shipment, or the shipment has no such exception")
    @APIResponse(responseCode = "409", description = "Already acknowledged, resolved or auto-resolved")
    @APIResponse(responseCode = "503", description = "The engine or Kafka cannot take it now; see Retry-After")
    public Response acknowledge(@PathParam("exceptionId") String exceptionId, ExceptionAction body) {
        return act(ExceptionAction.Kind.ACKNOWLEDGE, exceptionId, body);
    }

    @POST
    @Path("/{exceptionId}/resolve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.PLANNER)
    @Operation(operationId = "resolveException", summary = "Resolve an exception, saying how (note is required)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples =
            @ExampleObject(name = "resolve", value = "{\"note\": \"parcel found at BER-HUB, rescanned\"}")))
    @APIResponse(responseCode = "202", description = "Accepted: commandId, exceptionId, shipmentId, type")
    @APIResponse(responseCode = "400", description = "A malformed exceptionId, or no note; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such shipment, or the shipment has no such exception")
    @APIResponse(responseCode = "409", description = "Already resolved or auto-resolved")
    @APIResponse(responseCode = "503", description = "The engine or Kafka cannot take it now; see Retry-After")
    public Response resolve(@PathParam("exceptionId") String exceptionId, ExceptionAction body) {
        return act(ExceptionAction.Kind.RESOLVE, exceptionId, body);
    }

    @POST
    @Path("/{exceptionId}/snooze")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.PLANNER)
    @Operation(operationId = "snoozeException", summary = "Snooze an exception until a time in the future (no escalation until then)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples =
            @ExampleObject(name = "snooze", value = "{\"until\": \"2026-11-30T08:00:00Z\", \"note\": \"carrier promised a rescan in the morning\"}")))
    @APIResponse(responseCode = "202", description = "Accepted: commandId, exceptionId, shipmentId, type")
    @APIResponse(responseCode = "400", description = "A malformed exceptionId, or until missing, malformed or not in the future")
    @APIResponse(responseCode = "404", description = "No such shipment, or the shipment has no such exception")
    @APIResponse(responseCode = "409", description = "Already resolved or auto-resolved")
    @APIResponse(responseCode = "503", description = "The engine or Kafka cannot take it now; see Retry-After")
    public Response snooze(@PathParam("exceptionId") String exceptionId, ExceptionAction body) {
        return act(ExceptionAction.Kind.SNOOZE, exceptionId, body);
    }

    private Response act(ExceptionAction.Kind kind, String exceptionId, ExceptionAction body) {
        Optional<ExceptionId> id = ExceptionId.parse(exceptionId);
        if (id.isEmpty()) {
            return Responses.badRequest("invalid exception id", List.of(new Violation("exceptionId", "must be <shipmentId>:<TYPE>:<n>, e.g. S-1:MISSED_SCAN:1")));
        }
        Instant now = clock.instant();
        ExceptionAction.Parsed parsed = (body == null ? new ExceptionAction(null, null, null) : body).parse(kind, exceptionId, now);
        if (!parsed.violations().isEmpty()) return Responses.badRequest("invalid " + kind.name().toLowerCase(), parsed.violations());
        String shipmentId = id.get().shipmentId();
        String issuedBy = Caller.subject(identity);
        return Responses.degraded(() -> {
            Optional<JsonNode> shipment = engine.shipment(shipmentId);
            if (shipment.isEmpty()) return Responses.notFound("shipment " + shipmentId + " is unknown");
            JsonNode exception = null;
            for (JsonNode e : shipment.get().path("exceptions")) {
                if (exceptionId.equals(e.path("exceptionId").asText())) exception = e;
            }
            if (exception == null) return Responses.notFound("exception " + exceptionId + " is unknown");
            String conflict = conflict(kind, exception.path("status").asText());
            if (conflict != null) return Responses.conflict("exception " + exceptionId + " " + conflict);

            String commandId = Responses.commandId(shipmentId, body == null ? null : body.idempotencyKey());
            Response refused = Responses.publishing(() -> publisher.publish(
                    new PlannerCommand(commandId, shipmentId, now, issuedBy, parsed.payload(), Map.of())), "the command");
            if (refused != null) return refused;
            return Response.accepted(new Accepted(commandId, exceptionId, shipmentId, kind.name())).build();
        });
    }

    /** Why the action cannot apply to an exception in this status, or null. The engine stays the final judge. */
    static String conflict(ExceptionAction.Kind kind, String status) {
        if (CLOSED.contains(status)) return "is already " + status;
        if (kind == ExceptionAction.Kind.ACKNOWLEDGE && status.equals(ExceptionStatus.ACKNOWLEDGED.name())) return "is already acknowledged";
        return null;
    }
}
