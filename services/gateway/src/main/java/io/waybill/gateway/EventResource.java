package io.waybill.gateway;

import io.waybill.gateway.auth.Sources;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** HTTP ingest of shipment events in Waybill's own JSON contract. */
@Path("/api/v1/events")
public class EventResource {

    @Inject
    EventIntake intake;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Report one shipment event or a batch {\"events\": [...]}",
            description = "A batch is accepted or rejected as a whole. 202 means every event is durable: acknowledged by Kafka, "
                    + "or (\"spooled\": true) in the gateway's fsynced spool, published in order when Kafka is back. "
                    + "An eventId accepted in the last 10 minutes is a duplicate: 202, not published again.")
    @RequestBody(description = "An event: eventId (UUID), shipmentId, type, occurredAt (ISO-8601), source, data")
    @APIResponse(responseCode = "202", description = "All events accepted: published, or spooled durably; duplicates listed")
    @APIResponse(responseCode = "400", description = "Malformed JSON or contract violations, with the field of each")
    @APIResponse(responseCode = "401", description = "No X-Api-Key or bearer token, or one that matches no source")
    @APIResponse(responseCode = "403", description = "The source is not registered for a facility the events name (per item)")
    @APIResponse(responseCode = "413", description = "Body larger than the configured limit")
    @APIResponse(responseCode = "503", description = "Not accepted (spool full, or overloaded); retry after Retry-After with the same eventIds")
    public Response post(@HeaderParam(Sources.API_KEY_HEADER) String apiKey, String body) {
        return intake.handle(apiKey, body, (tree, source) -> EventIntake.Translated.asIs(tree));
    }
}
