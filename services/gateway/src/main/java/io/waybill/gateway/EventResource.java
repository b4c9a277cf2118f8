package io.waybill.gateway;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.contract.ShipmentEvent;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;

/** HTTP ingest of shipment events: validate all, publish all, acknowledge only what Kafka acknowledged. */
@Path("/api/v1/events")
public class EventResource {

    private static final Logger LOG = Logger.getLogger(EventResource.class);

    private final EventParser parser = new EventParser(Clock.systemUTC());

    @Inject
    ObjectMapper json;

    @Inject
    ShipmentEventPublisher publisher;

    @ConfigProperty(name = "waybill.gateway.max-batch-size", defaultValue = "500")
    int maxBatchSize;

    public record Accepted(List<String> accepted, int count) {
    }

    public record Rejected(String error, List<Violation> violations) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Report one shipment event or a batch {\"events\": [...]}",
            description = "A batch is accepted or rejected as a whole. 202 means every event is durably on Kafka.")
    @RequestBody(description = "An event: eventId (UUID), shipmentId, type, occurredAt (ISO-8601), source, data")
    @APIResponse(responseCode = "202", description = "All events accepted and acknowledged by Kafka")
    @APIResponse(responseCode = "400", description = "Malformed JSON or contract violations, with the field of each")
    @APIResponse(responseCode = "413", description = "Body larger than the configured limit")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time; nothing is acknowledged, retry later")
    public Response post(String body) {
        JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return badRequest(new Rejected("malformed JSON" + where, List.of(new Violation("$", e.getOriginalMessage()))));
        }
        EventParser.Parsed parsed = parser.parse(tree, maxBatchSize);
        if (!parsed.valid()) {
            return badRequest(new Rejected("the request violates the event contract; nothing was accepted", parsed.violations()));
        }
        try {
            publisher.publishAll(parsed.events());
        } catch (ShipmentEventPublisher.PublishFailedException e) {
            LOG.warnf("publishing %d event(s) failed: %s", parsed.events().size(), e.getMessage());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                    .entity(new Rejected(e.getMessage() + "; retry with the same eventIds", List.of())).build();
        }
        List<String> ids = parsed.events().stream().map(ShipmentEvent::getEventId).toList();
        return Response.accepted(new Accepted(ids, ids.size())).build();
    }

    private static Response badRequest(Rejected rejected) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(rejected).build();
    }
}
