package io.waybill.planner.live;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.waybill.planner.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;

/** Live updates as Server-Sent Events. */
@Path("/api/v1/stream")
@Tag(name = "live", description = "Live updates of shipments and exceptions as Server-Sent Events")
public class StreamResource {

    @Inject
    LiveFeed feed;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Blocking // waits (briefly, once) for the feed's start offsets
    @Operation(operationId = "streamUpdates", summary = "Live shipment and exception updates (Server-Sent Events)",
            description = "Events named 'shipment' (data: the shipment as GET /shipments/{id} names its fields) and 'exception' (data: "
                    + "as an item of GET /exceptions), from the moment of connecting on; a comment ': connected' first and "
                    + "': heartbeat' every 15 s. With facility=<id>, only shipments whose current or last facility or any route leg "
                    + "is that facility, and exceptions at it. A client that falls too far behind is disconnected and should "
                    + "reconnect (and re-read what it shows). Send the bearer token in the Authorization header (browsers: fetch "
                    + "with a streaming body, as EventSource cannot set headers).")
    @APIResponse(responseCode = "200", description = "text/event-stream")
    public Multi<OutboundSseEvent> stream(@Parameter(description = "a facility id") @QueryParam("facility") String facility,
                                          @Context Sse sse) {
        feed.awaitPositioned(Duration.ofSeconds(5));
        return feed.subscribe(facility == null || facility.isBlank() ? null : facility).map(e -> e.isComment()
                ? sse.newEventBuilder().comment(e.comment()).build()
                : sse.newEventBuilder().name(e.name()).data(String.class, e.data()).build());
    }
}
