package io.waybill.gateway.epcis;

import io.waybill.gateway.EventIntake;
import io.waybill.gateway.EventResource;
import io.waybill.gateway.GatewayConfig;
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
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** GS1 EPCIS 2.0 capture: ObjectEvents mapped to Waybill events (table in docs/integration.md). */
@Path("/api/v1/epcis/events")
public class EpcisResource {

    @Inject
    EventIntake intake;

    @Inject
    EpcisMapper mapper;

    @Inject
    GatewayConfig config;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/ld+json"})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "captureEpcisEvents", summary = "Capture an EPCIS 2.0 document (epcisBody.eventList) or one ObjectEvent",
            description = "Each EPC of an ObjectEvent becomes one Waybill event; the whole document is accepted or rejected.")
    @SecurityRequirement(name = EventResource.API_KEY)
    @SecurityRequirement(name = EventResource.BEARER)
    @APIResponse(responseCode = "202", description = "Mapped and accepted (published or spooled); the Waybill eventIds")
    @APIResponse(responseCode = "400", description = "Not mappable or not valid, with the EPCIS field and the reason of each")
    @APIResponse(responseCode = "401", description = "No or unknown credentials")
    @APIResponse(responseCode = "403", description = "A location maps to a facility the source is not registered for")
    @APIResponse(responseCode = "503", description = "Not accepted; retry after Retry-After")
    public Response capture(@HeaderParam(Sources.API_KEY_HEADER) String apiKey, String body) {
        return intake.handle(apiKey, body, (tree, source) -> {
            EpcisMapper.Mapped mapped = mapper.map(tree, source.name(), config.maxBatchSize());
            return new EventIntake.Translated(mapped.batch(), mapped.violations(), mapped::originOf);
        });
    }
}
