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
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * HTTP ingest of shipment events in Waybill's own JSON contract. The security schemes of the gateway's
 * OpenAPI document are declared here, once, for both ingest resources: a source's API key or a bearer token.
 */
@Path("/api/v1/events")
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = EventResource.API_KEY, type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER,
                apiKeyName = Sources.API_KEY_HEADER, description = "A registered source's API key (the gateway keeps only its SHA-256)"),
        @SecurityScheme(securitySchemeName = EventResource.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
                description = "A JWT whose subject is a registered source")})
public class EventResource {

    /** The OpenAPI names of the two ways a source authenticates; an operation takes either. */
    public static final String API_KEY = "apiKey";
    public static final String BEARER = "bearer";

    @Inject
    EventIntake intake;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "reportEvents", summary = "Report one shipment event or a batch {\"events\": [...]}",
            description = "A batch is accepted or rejected as a whole. 202 means every event is durable: acknowledged by Kafka, "
                    + "or (\"spooled\": true) in the gateway's fsynced spool, published in order when Kafka is back. "
                    + "An eventId accepted in the last 10 minutes is a duplicate: 202, not published again.")
    @SecurityRequirement(name = API_KEY)
    @SecurityRequirement(name = BEARER)
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
