package io.waybill.planner.network;

import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.Lane;
import io.waybill.contract.WaybillTopic;
import io.waybill.planner.KafkaPublisher;
import io.waybill.planner.Responses;
import io.waybill.planner.Violation;
import io.waybill.planner.auth.Caller;
import io.waybill.planner.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The lanes of the network, from the compacted lanes topic. */
@Path("/api/v1/lanes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "network", description = "The facility and lane network shipments are routed over, and its status (closures, congestion, disruptions)")
public class LaneResource {

    private static final Logger LOG = Logger.getLogger(LaneResource.class);

    @Inject
    NetworkView view;

    @Inject
    KafkaPublisher publisher;

    @Inject
    SecurityIdentity identity;

    private final Clock clock = Clock.systemUTC();

    /** The body of a lane change. */
    public record LaneChange(Boolean disrupted, String reason) {
    }

    public record LaneChanged(String laneId, boolean disrupted, String reason, Instant updatedAt, String updatedBy) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "listLanes", summary = "Lanes, optionally from and/or to a facility",
            description = "From the planner-api's copy of the compacted lanes topic; asOf is when that copy was last known complete.")
    @APIResponse(responseCode = "200", description = "items (laneId, fromFacilityId, toFacilityId, carrier, mode, transitMinutes, departureTimes, dailyCapacity, cost, allowedHandling, disrupted, updatedAt), count, asOf")
    @APIResponse(responseCode = "503", description = "The network view is still loading; see Retry-After")
    public Response list(@QueryParam("from") String from, @QueryParam("to") String to) {
        if (!view.loaded()) return Views.notLoaded();
        List<Views.LaneView> items = view.lanes().stream()
                .filter(l -> from == null || l.getFromFacilityId().equals(from))
                .filter(l -> to == null || l.getToFacilityId().equals(to))
                .sorted(Comparator.comparing(Lane::getLaneId))
                .map(Views.LaneView::of).toList();
        return Response.ok(new Views.Page<>(items, view.asOf())).build();
    }

    @GET
    @Path("/{laneId}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "getLane", summary = "A lane")
    @APIResponse(responseCode = "200", description = "The lane's fields")
    @APIResponse(responseCode = "404", description = "No such lane")
    @APIResponse(responseCode = "503", description = "The network view is still loading; see Retry-After")
    public Response lane(@PathParam("laneId") String laneId) {
        if (!view.loaded()) return Views.notLoaded();
        return view.lane(laneId).map(l -> Response.ok(Views.LaneView.of(l)).build())
                .orElseGet(() -> Responses.notFound("lane " + laneId + " is unknown"));
    }

    @PUT
    @Path("/{laneId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "setLaneDisruption", summary = "Mark a lane disrupted, or restore it",
            description = "Publishes the lane with the new disrupted flag (updatedAt now) to the lanes topic, acknowledged by all in-sync "
                    + "replicas; the engines re-plan routes over it. A reason is required to disrupt; it is logged with the caller, as the "
                    + "lane record has no field for it.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "disrupt", value = "{\"disrupted\": true, \"reason\": \"A9 closed after an accident\"}"),
            @ExampleObject(name = "restore", value = "{\"disrupted\": false}")}))
    @APIResponse(responseCode = "202", description = "Published: laneId, disrupted, reason, updatedAt, updatedBy")
    @APIResponse(responseCode = "400", description = "The request is invalid; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such lane")
    @APIResponse(responseCode = "503", description = "The network view is still loading, or Kafka cannot take it now; see Retry-After")
    public Response change(@PathParam("laneId") String laneId, LaneChange change) {
        List<Violation> violations = new ArrayList<>();
        if (change == null) {
            violations.add(new Violation("$", "is required"));
        } else {
            if (change.disrupted() == null) violations.add(new Violation("disrupted", "is required (true or false)"));
            FacilityResource.reason(change.reason(), Boolean.TRUE.equals(change.disrupted()), violations);
        }
        if (!violations.isEmpty()) return Responses.badRequest("invalid lane change", violations);
        if (!view.loaded()) return Views.notLoaded();
        Optional<Lane> current = view.lane(laneId);
        if (current.isEmpty()) return Responses.notFound("lane " + laneId + " is unknown");

        String by = Caller.subject(identity);
        Instant now = clock.instant();
        Lane updated = Lane.newBuilder(current.get()).setDisrupted(change.disrupted()).setUpdatedAt(now).build();
        Response refused = Responses.publishing(() -> publisher.publish(WaybillTopic.LANES, laneId, updated), "the lane change");
        if (refused != null) return refused;
        LOG.infof("lane %s: disrupted %s -> %s by %s (%s)", laneId, current.get().getDisrupted(), change.disrupted(), by, change.reason());
        return Response.accepted(new LaneChanged(laneId, change.disrupted(), change.reason(), now, by)).build();
    }
}
