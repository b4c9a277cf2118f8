package io.waybill.planner;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.PlannerCommand;
import io.waybill.topology.workflow.Workflow;
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
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Planners' view of shipments and their commands on them. */
@Path("/api/v1/shipments")
@Produces(MediaType.APPLICATION_JSON)
public class ShipmentResource {

    /** The engine's final statuses, by name as the engine's JSON gives them. */
    static final Set<String> FINAL = Workflow.FINAL.stream().map(Enum::name).collect(Collectors.toUnmodifiableSet());
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    @Inject
    EngineClient engine;

    @Inject
    CommandPublisher commands;

    private final Clock clock = Clock.systemUTC();

    public record ErrorBody(String error) {
    }

    public record Rejected(String error, List<CommandRequest.Violation> violations) {
    }

    public record Accepted(String commandId, String shipmentId, String type) {
    }

    @GET
    @Path("/{shipmentId}")
    @Operation(summary = "The current state of a shipment",
            description = "With afterCommand=<commandId> the request waits (up to waitSeconds, default 5, at most 30) until the "
                    + "engine has processed that command, so a client reads its own write.")
    @APIResponse(responseCode = "200", description = "shipmentId, status, lastFacilityId, lastEventAt, eventsApplied, milestones, ...")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "503", description = "The engine cannot answer now, or the awaited command is not processed yet; see Retry-After")
    public Response shipment(@PathParam("shipmentId") String shipmentId, @QueryParam("afterCommand") String afterCommand,
                             @QueryParam("waitSeconds") @DefaultValue("5") int waitSeconds) {
        return degraded(() -> {
            if (afterCommand != null && !awaitCommand(shipmentId, afterCommand, Duration.ofSeconds(Math.max(0, Math.min(waitSeconds, MAX_WAIT.toSeconds()))))) {
                return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                        .entity(new ErrorBody("command " + afterCommand + " is not processed yet")).build();
            }
            return found(engine.shipment(shipmentId), shipmentId);
        });
    }

    @GET
    @Path("/{shipmentId}/history")
    @Operation(summary = "Every event and command received for a shipment, in occurredAt order, with what it did")
    public Response history(@PathParam("shipmentId") String shipmentId) {
        return degraded(() -> found(engine.history(shipmentId), shipmentId));
    }

    @GET
    @Operation(summary = "Shipments by status or by facility, across all engine instances, cursor-paginated")
    public Response list(@QueryParam("status") String status, @QueryParam("facility") String facility,
                         @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        StringBuilder query = new StringBuilder("/internal/shipments?limit=").append(limit);
        if (status != null) query.append("&status=").append(EngineClient.encode(status));
        if (facility != null) query.append("&facility=").append(EngineClient.encode(facility));
        if (cursor != null) query.append("&cursor=").append(EngineClient.encode(cursor));
        return degraded(() -> {
            EngineClient.Answer answer = engine.get(query.toString());
            return Response.status(answer.status()).entity(answer.body()).build();
        });
    }

    @POST
    @Path("/{shipmentId}/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask the engine to REROUTE, HOLD, RELEASE, CANCEL or UPDATE_PROMISE a shipment",
            description = "Validated against the request and the shipment's current state, then published to the commands topic. "
                    + "The same idempotencyKey always yields the same commandId, so a retried POST is one command.")
    @APIResponse(responseCode = "202", description = "Accepted: the command id, to wait for with GET ?afterCommand=")
    @APIResponse(responseCode = "400", description = "The request is invalid; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "409", description = "Not allowed in the shipment's current state")
    @APIResponse(responseCode = "503", description = "The engine or Kafka cannot take it now; see Retry-After")
    public Response command(@PathParam("shipmentId") String shipmentId, CommandRequest request) {
        if (request == null) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(new Rejected("a JSON command is required", List.of(new CommandRequest.Violation("$", "is required")))).build();
        }
        Instant now = clock.instant();
        CommandRequest.Parsed parsed = request.parse(now);
        if (!parsed.violations().isEmpty()) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new Rejected("invalid command", parsed.violations())).build();
        }
        return degraded(() -> {
            Optional<JsonNode> state = engine.shipment(shipmentId);
            if (state.isEmpty()) {
                return Response.status(Response.Status.NOT_FOUND).entity(new ErrorBody("shipment " + shipmentId + " is unknown")).build();
            }
            String status = state.get().path("status").asText();
            String conflict = conflict(request.type(), status);
            if (conflict != null) return Response.status(Response.Status.CONFLICT).entity(new ErrorBody(conflict)).build();

            String commandId = request.idempotencyKey() == null ? UUID.randomUUID().toString()
                    : UUID.nameUUIDFromBytes((shipmentId + "/" + request.idempotencyKey()).getBytes(StandardCharsets.UTF_8)).toString();
            try {
                commands.publish(new PlannerCommand(commandId, shipmentId, now, "planner", parsed.payload(), Map.of()));
            } catch (CommandPublisher.CommandNotAcceptedException | TimeoutException | CircuitBreakerOpenException | BulkheadException e) {
                return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                        .entity(new ErrorBody("the command was not accepted: " + e.getMessage())).build();
            }
            return Response.accepted(new Accepted(commandId, shipmentId, request.type())).build();
        });
    }

    /** Why a command cannot apply to a shipment in this status, or null. The engine stays the final judge. */
    static String conflict(String type, String status) {
        if (FINAL.contains(status)) return type + " is not allowed: shipment is " + status;
        if (type.equals("RELEASE") && !status.equals("HELD")) return "RELEASE is not allowed: shipment is not held";
        if (type.equals("HOLD") && status.equals("HELD")) return "HOLD is not allowed: shipment is already held";
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

    private static Response found(Optional<JsonNode> value, String shipmentId) {
        return value.map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).entity(new ErrorBody("shipment " + shipmentId + " is unknown")).build());
    }

    /** Engine trouble becomes 503 with Retry-After, never a hang or a 500. */
    private static Response degraded(Supplier<Response> call) {
        try {
            return call.get();
        } catch (EngineClient.EngineUnavailableException | TimeoutException | CircuitBreakerOpenException | BulkheadException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .entity(new ErrorBody("shipment state is unavailable right now: " + e.getMessage())).build();
        }
    }
}
