package io.waybill.planner;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.util.Optional;

/** Planners' view of shipments. */
@Path("/api/v1/shipments")
@Produces(MediaType.APPLICATION_JSON)
public class ShipmentResource {

    @Inject
    EngineClient engine;

    public record ErrorBody(String error) {
    }

    @GET
    @Path("/{shipmentId}")
    @Operation(summary = "The current state of a shipment")
    @APIResponse(responseCode = "200", description = "shipmentId, status, lastFacilityId, lastEventAt, eventsApplied, ...")
    @APIResponse(responseCode = "404", description = "No such shipment")
    @APIResponse(responseCode = "503", description = "The engine cannot answer now; see Retry-After")
    public Response shipment(@PathParam("shipmentId") String shipmentId) {
        Optional<JsonNode> state;
        try {
            state = engine.shipment(shipmentId);
        } catch (EngineClient.EngineUnavailableException | TimeoutException | CircuitBreakerOpenException | BulkheadException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .entity(new ErrorBody("shipment state is unavailable right now: " + e.getMessage())).build();
        }
        return state.map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(new ErrorBody("shipment " + shipmentId + " is unknown")).build());
    }
}
