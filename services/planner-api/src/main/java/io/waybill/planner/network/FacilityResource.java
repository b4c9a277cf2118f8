package io.waybill.planner.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.WaybillTopic;
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
import java.util.Set;

/** The facilities of the network, from the compacted facilities topic, with their load from the engines. */
@Path("/api/v1/facilities")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "network", description = "The facility and lane network shipments are routed over, and its status (closures, congestion, disruptions)")
public class FacilityResource {

    private static final Logger LOG = Logger.getLogger(FacilityResource.class);
    static final Set<String> TYPES = Filters.symbols(FacilityType.class);
    static final Set<String> STATUSES = Filters.symbols(FacilityStatus.class);
    static final int LOAD_HOURS = 6;
    static final int MAX_REASON = 500;

    @Inject
    NetworkView view;

    @Inject
    EngineClient engine;

    @Inject
    KafkaPublisher publisher;

    @Inject
    SecurityIdentity identity;

    @Inject
    ObjectMapper json;

    private final Clock clock = Clock.systemUTC();

    /** The body of a status change. */
    public record StatusChange(String status, String reason) {
    }

    public record StatusChanged(String facilityId, String status, String reason, Instant updatedAt, String updatedBy) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "listFacilities", summary = "Facilities, optionally by region, type and status",
            description = "From the planner-api's copy of the compacted facilities topic; asOf is when that copy was last known complete.")
    @APIResponse(responseCode = "200", description = "items (facilityId, name, type, region, timeZone, latitude, longitude, status, hourlyCapacity, handlingMinutes, updatedAt), count, asOf")
    @APIResponse(responseCode = "400", description = "An unknown type or status")
    @APIResponse(responseCode = "503", description = "The network view is still loading; see Retry-After")
    public Response list(@QueryParam("region") String region, @QueryParam("type") String type, @QueryParam("status") String status) {
        List<Violation> violations = new ArrayList<>();
        Filters.oneOf("type", type, TYPES, violations);
        Filters.oneOf("status", status, STATUSES, violations);
        if (!violations.isEmpty()) return Responses.badRequest("invalid query", violations);
        if (!view.loaded()) return Views.notLoaded();
        List<Views.FacilityView> items = view.facilities().stream()
                .filter(f -> region == null || f.getRegion().equals(region))
                .filter(f -> type == null || f.getType().name().equals(type))
                .filter(f -> status == null || f.getStatus().name().equals(status))
                .sorted(Comparator.comparing(Facility::getFacilityId))
                .map(Views.FacilityView::of).toList();
        return Response.ok(new Views.Page<>(items, view.asOf())).build();
    }

    @GET
    @Path("/{facilityId}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(operationId = "getFacility", summary = "A facility with its load over the next 6 hours",
            description = "load is the engines' answer (onHand, expectedInbound, openExceptions, unavailableInstances). When the engines "
                    + "cannot answer, the facility is still returned, with \"load\": null and \"loadUnavailable\": true.")
    @APIResponse(responseCode = "200", description = "The facility's fields, load, loadUnavailable, asOf",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "facility", value = """
                    {"facilityId": "BER-HUB", "name": "Berlin hub", "type": "HUB", "region": "DE-EAST", "timeZone": "Europe/Berlin",
                     "latitude": 52.5, "longitude": 13.4, "status": "OPEN", "hourlyCapacity": 4000, "handlingMinutes": 45,
                     "updatedAt": "2026-11-29T07:00:00Z",
                     "load": {"facilityId": "BER-HUB", "onHand": 12, "expectedInbound": 30, "openExceptions": 2, "unavailableInstances": []},
                     "loadUnavailable": false, "asOf": "2026-11-29T08:00:00Z"}""")))
    @APIResponse(responseCode = "404", description = "No such facility")
    @APIResponse(responseCode = "503", description = "The network view is still loading; see Retry-After")
    public Response facility(@PathParam("facilityId") String facilityId) {
        if (!view.loaded()) return Views.notLoaded();
        Optional<Facility> facility = view.facility(facilityId);
        if (facility.isEmpty()) return Responses.notFound("facility " + facilityId + " is unknown");
        ObjectNode body = json.valueToTree(Views.FacilityView.of(facility.get()));
        Optional<JsonNode> load = engine.facilityLoad(facilityId, LOAD_HOURS);
        body.set("load", load.orElse(null));
        body.put("loadUnavailable", load.isEmpty());
        body.set("asOf", json.valueToTree(view.asOf()));
        return Response.ok(body).build();
    }

    @PUT
    @Path("/{facilityId}/status")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "setFacilityStatus", summary = "Open, congest or close a facility",
            description = "Publishes the facility with the new status (updatedAt now) to the facilities topic, acknowledged by all in-sync "
                    + "replicas; the engines re-plan routes through it. A reason is required except when reopening (OPEN); it is logged "
                    + "with the caller, as the facility record has no field for it.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
            @ExampleObject(name = "close", value = "{\"status\": \"CLOSED\", \"reason\": \"storm damage to the roof\"}"),
            @ExampleObject(name = "reopen", value = "{\"status\": \"OPEN\"}")}))
    @APIResponse(responseCode = "202", description = "Published: facilityId, status, reason, updatedAt, updatedBy")
    @APIResponse(responseCode = "400", description = "The request is invalid; every violation is listed")
    @APIResponse(responseCode = "404", description = "No such facility")
    @APIResponse(responseCode = "503", description = "The network view is still loading, or Kafka cannot take it now; see Retry-After")
    public Response changeStatus(@PathParam("facilityId") String facilityId, StatusChange change) {
        List<Violation> violations = new ArrayList<>();
        if (change == null) {
            violations.add(new Violation("$", "is required"));
        } else {
            if (change.status() == null) violations.add(new Violation("status", "is required"));
            else Filters.oneOf("status", change.status(), STATUSES, violations);
            reason(change.reason(), !FacilityStatus.OPEN.name().equals(change.status()), violations);
        }
        if (!violations.isEmpty()) return Responses.badRequest("invalid status change", violations);
        if (!view.loaded()) return Views.notLoaded();
        Optional<Facility> current = view.facility(facilityId);
        if (current.isEmpty()) return Responses.notFound("facility " + facilityId + " is unknown");

        String by = Caller.subject(identity);
        Instant now = clock.instant();
        Facility updated = Facility.newBuilder(current.get()).setStatus(FacilityStatus.valueOf(change.status())).setUpdatedAt(now).build();
        Response refused = Responses.publishing(() -> publisher.publish(WaybillTopic.FACILITIES, facilityId, updated), "the facility change");
        if (refused != null) return refused;
        LOG.infof("facility %s: %s -> %s by %s (%s)", facilityId, current.get().getStatus(), change.status(), by, change.reason());
        return Response.accepted(new StatusChanged(facilityId, change.status(), change.reason(), now, by)).build();
    }

    /** A reason: required when asked for, at most {@value #MAX_REASON} characters. */
    static void reason(String reason, boolean required, List<Violation> violations) {
        if (required && (reason == null || reason.isBlank())) violations.add(new Violation("reason", "is required"));
        if (reason != null && reason.length() > MAX_REASON) violations.add(new Violation("reason", "must be at most " + MAX_REASON + " characters"));
    }
}
