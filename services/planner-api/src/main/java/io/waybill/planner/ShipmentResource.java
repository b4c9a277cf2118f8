package io.waybill.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.planner.auth.Caller;
import io.waybill.planner.auth.Roles;
import io.waybill.topology.workflow.Workflow;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Planners' view of shipments and their commands on them. */
@Path("/api/v1/shipments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "shipments", description = "Shipments: their state, history and route plan, and the commands planners give them")
public class ShipmentResource {

    /** The engine's final statuses, by name as the engine's JSON gives them. */
    static final Set<String> FINAL = Workflow.FINAL.stream().map(Enum::name).collect(Collectors.toUnmodifiableSet());
    static final Set<String> STATUSES = Filters.symbols(ShipmentStatus.class);
    static final Set<String> SLA_STATUSES = Filters.allSymbols(SlaStatus.class);
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    @Inject
    EngineClient engine;

    @Inject
    KafkaPublisher publisher;

    @Inject
    SecurityIdentity identity;

    private final Clock clock = Clock.systemUTC();

    public record Accepted(String commandId, String shipmentId, String type) {
    }

    @GET
    @Path("/{shipmentId}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "getShipment", summary = "The current state of a shipment",
            description = "The engine's JSON, passed on as it is (status, facilities, milestones, routePlan, eta, slaStatus, "
                    + "routeStatus, exceptions, ...). With afterCommand=<commandId> the request waits (up to waitSeconds, default 5, "
                    + "at most 30) until the engine has processed that command, so a client reads its own write. An answer from a "
                    + "standby replica (while the engine restores) carries X-Waybill-Stale: true and X-Waybill-Lag-Records, and "
                    + "\"stale\": true, \"lagRecords\": n in the body.")
    @APIResponse(responseCode = "200", description = "shipmentId, status, lastFacilityId, lastEventAt, eventsApplied, milestones, ...")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "503", description = "The engine cannot answer now, or the awaited command is not processed yet; see Retry-After")
    public Response shipment(@PathParam("shipmentId") String shipmentId, @QueryParam("afterCommand") String afterCommand,
                             @QueryParam("waitSeconds") @DefaultValue("5") int waitSeconds) {
        return Responses.degraded(() -> {
            if (afterCommand != null && !awaitCommand(shipmentId, afterCommand, Duration.ofSeconds(Math.max(0, Math.min(waitSeconds, MAX_WAIT.toSeconds()))))) {
                return Responses.unavailable("command " + afterCommand + " is not processed yet", 1);
            }
            return single(engine.get("/internal/shipments/" + EngineClient.encode(shipmentId)), shipmentId);
        });
    }

    @GET
    @Path("/{shipmentId}/history")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "getShipmentHistory", summary = "Every event and command received for a shipment, in occurredAt order, with what it did")
    @APIResponse(responseCode = "200", description = "entries with id, type, occurredAt, outcome (APPLIED, REJECTED, DUPLICATE, IGNORED), reason")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "503", description = "The engine cannot answer now; see Retry-After")
    public Response history(@PathParam("shipmentId") String shipmentId) {
        return Responses.degraded(() -> single(engine.get("/internal/shipments/" + EngineClient.encode(shipmentId) + "/history"), shipmentId));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "listShipments", summary = "Shipments by status, facility, SLA status or workflow, across all engine instances, cursor-paginated",
            description = "Ordered by shipmentId; nextCursor gives the next page; engine instances that did not answer are named in unavailableInstances.")
    @APIResponse(responseCode = "200", description = "items, nextCursor, unavailableInstances")
    @APIResponse(responseCode = "400", description = "An unknown status or slaStatus, or a bad limit; every violation is listed")
    @APIResponse(responseCode = "503", description = "No engine instance can answer now; see Retry-After")
    public Response list(@QueryParam("status") String status, @QueryParam("facility") String facility,
                         @QueryParam("slaStatus") String slaStatus, @QueryParam("workflow") String workflow,
                         @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        List<Violation> violations = new ArrayList<>();
        Filters.oneOf("status", status, STATUSES, violations);
        Filters.oneOf("slaStatus", slaStatus, SLA_STATUSES, violations);
        if (!violations.isEmpty()) return Responses.badRequest("invalid query", violations);
        StringBuilder query = new StringBuilder("/internal/shipments?limit=").append(limit);
        Filters.param(query, "status", status);
        Filters.param(query, "facility", facility);
        Filters.param(query, "slaStatus", slaStatus);
        Filters.param(query, "workflow", workflow);
        Filters.param(query, "cursor", cursor);
        return Responses.degraded(() -> Responses.passThrough(engine.get(query.toString())));
    }

    @POST
    @Path("/{shipmentId}/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.PLANNER)
    @Operation(operationId = "commandShipment", summary = "Ask the engine to REROUTE, HOLD, RELEASE, CANCEL, UPDATE_PROMISE or RETURN_TO_SENDER a shipment",
            description = "Validated against the request and the shipment's current state, then published to the commands topic "
                    + "with the token's subject as issuedBy. The same idempotencyKey always yields the same commandId, so a retried "
                    + "POST is one command. Fields: HOLD reason (until optional), RELEASE (reason optional), CANCEL reason, "
                    + "UPDATE_PROMISE promisedDeliveryAt, REROUTE viaFacilityId/avoidFacilityIds/avoidLaneIds, RETURN_TO_SENDER reason.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "hold", value = "{\"type\": \"HOLD\", \"reason\": \"customs check\", \"idempotencyKey\": \"hold-4711\"}"),
            @ExampleObject(name = "reroute", value = "{\"type\": \"REROUTE\", \"avoidFacilityIds\": [\"HAM-HUB\"]}"),
            @ExampleObject(name = "update promise", value = "{\"type\": \"UPDATE_PROMISE\", \"promisedDeliveryAt\": \"2026-12-24T18:00:00Z\"}"),
            @ExampleObject(name = "return to sender", value = "{\"type\": \"RETURN_TO_SENDER\", \"reason\": \"refused by recipient\"}")}))
    @APIResponse(responseCode = "202", description = "Accepted: the command id, to wait for with GET ?afterCommand=",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "accepted",
                    value = "{\"commandId\": \"3f2c7c1e-0d7e-3b8a-9b7e-2f1f5f0f6a11\", \"shipmentId\": \"DEMO-1\", \"type\": \"HOLD\"}")))
    @APIResponse(responseCode = "400", description = "The request is invalid; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "409", description = "Not allowed in the shipment's current state")
    @APIResponse(responseCode = "503", description = "The engine or Kafka cannot take it now; see Retry-After")
    public Response command(@PathParam("shipmentId") String shipmentId, CommandRequest request) {
        if (request == null) return Responses.badRequest("a JSON command is required", List.of(new Violation("$", "is required")));
        Instant now = clock.instant();
        CommandRequest.Parsed parsed = request.parse(now);
        if (!parsed.violations().isEmpty()) return Responses.badRequest("invalid command", parsed.violations());
        String issuedBy = Caller.subject(identity);
        return Responses.degraded(() -> {
            Optional<JsonNode> state = engine.shipment(shipmentId);
            if (state.isEmpty()) return Responses.notFound("shipment " + shipmentId + " is unknown");
            String conflict = conflict(request.type(), state.get().path("status").asText());
            if (conflict != null) return Responses.conflict(conflict);

            String commandId = Responses.commandId(shipmentId, request.idempotencyKey());
            Response refused = Responses.publishing(() -> publisher.publish(
                    new PlannerCommand(commandId, shipmentId, now, issuedBy, parsed.payload(), Map.of())), "the command");
            if (refused != null) return refused;
            return Response.accepted(new Accepted(commandId, shipmentId, request.type())).build();
        });
    }

    /** Why a command cannot apply to a shipment in this status, or null. The engine stays the final judge. */
    static String conflict(String type, String status) {
        if (FINAL.contains(status)) return type + " is not allowed: shipment is " + status;
        if (type.equals("RELEASE") && !status.equals("HELD")) return "RELEASE is not allowed: shipment is not held";
        if (type.equals("HOLD") && status.equals("HELD")) return "HOLD is not allowed: shipment is already held";
        if (type.equals("RETURN_TO_SENDER") && status.equals("RETURNING")) return "RETURN_TO_SENDER is not allowed: shipment is already returning";
        return null;
    }

    private boolean awaitCommand(String shipmentId, String commandId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<JsonNode> history = engine.history(shipmentId);
            if (history.isPresent()) {
                for (JsonNode entry : history.get().path("entries")) {
                    if (commandId.equals(entry.path("id").asText())) return true;
                }
            }
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** One shipment's answer: the engine's JSON untouched, plus "stale"/"lagRecords" when a standby replica answered. */
    private static Response single(EngineClient.Answer answer, String shipmentId) {
        if (answer.status() == 404) return Responses.notFound("shipment " + shipmentId + " is unknown");
        JsonNode body = answer.body();
        if (answer.stale() && body instanceof ObjectNode object) {
            object.put("stale", true);
            if (answer.lagRecords() != null) object.put("lagRecords", answer.lagRecords());
        }
        return Responses.withStaleHeaders(Response.status(answer.status()).entity(body), answer).build();
    }
}
