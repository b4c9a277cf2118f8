package io.waybill.gateway;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.contract.AddressCorrected;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.auth.Sources;
import io.waybill.topology.shipment.EventTypes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The steps every ingest endpoint takes, in this order: who is sending (401), is it JSON (400),
 * does it map to the contract (400, every violation with its field), may this source report for
 * these facilities (403, per item), then accept it (202, published or spooled) or refuse (503).
 */
@ApplicationScoped
public class EventIntake {

    private static final Logger LOG = Logger.getLogger(EventIntake.class);
    /** Where the sender's own {@code source} goes when the authenticated source name replaces it. */
    public static final String REPORTED_SOURCE_ATTRIBUTE = "reportedSource";

    public record Accepted(List<String> accepted, int count, boolean spooled, List<String> duplicates) {
    }

    public record Rejected(String error, List<Violation> violations) {
    }

    /** The request's body as events of the public contract (an event or {"events": [...]}). */
    public record Translated(JsonNode events, List<Violation> violations, UnaryOperator<String> originOf) {
        public static Translated asIs(JsonNode events) {
            return new Translated(events, List.of(), UnaryOperator.identity());
        }
    }

    /** Turns a parsed body into the public contract, for the authenticated source. */
    public interface Translator {
        Translated translate(JsonNode body, Sources.Source source);
    }

    @Inject
    ObjectMapper json;

    @Inject
    EventParser parser;

    @Inject
    Sources sources;

    @Inject
    SecurityIdentity identity;

    @Inject
    EventIngest ingest;

    @Inject
    GatewayConfig config;

    public Response handle(String apiKey, String body, Translator translator) {
        Sources.Source source;
        try {
            source = sources.authenticate(apiKey, identity);
        } catch (Sources.NotAuthenticatedException e) {
            return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                    .header("WWW-Authenticate", "Bearer realm=\"waybill-gateway\"")
                    .entity(new Rejected(e.getMessage(), List.of())).build();
        } catch (Sources.NotAuthorisedException e) {
            return json(Response.Status.FORBIDDEN, new Rejected(e.getMessage(), List.of()));
        }

        JsonNode tree;
        try {
            tree = json.readTree(body == null ? "" : body);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return json(Response.Status.BAD_REQUEST, new Rejected("malformed JSON" + where, List.of(new Violation("$", e.getOriginalMessage()))));
        }
        if (tree == null || tree.isMissingNode()) {
            return json(Response.Status.BAD_REQUEST, new Rejected("the body is empty", List.of(new Violation("$", "is required"))));
        }
        Translated translated = translator.translate(tree, source);
        if (!translated.violations().isEmpty()) {
            return json(Response.Status.BAD_REQUEST, new Rejected("the request cannot be mapped to shipment events; nothing was accepted", translated.violations()));
        }
        EventParser.Parsed parsed = parser.parse(translated.events(), config.maxBatchSize());
        if (!parsed.valid()) {
            List<Violation> violations = parsed.violations().stream()
                    .map(v -> new Violation(translated.originOf().apply(v.field()), v.message())).toList();
            return json(Response.Status.BAD_REQUEST, new Rejected("the request violates the event contract; nothing was accepted", violations));
        }

        boolean batch = translated.events().has("events");
        List<Violation> forbidden = new ArrayList<>();
        for (int i = 0; i < parsed.events().size(); i++) {
            String prefix = batch ? "events[" + i + "]." : "";
            ShipmentEvent event = parsed.events().get(i);
            Map<String, String> facilities = facilitiesOf(event);
            facilities.forEach((field, facility) -> {
                if (!source.mayReportFor(facility)) {
                    forbidden.add(new Violation(translated.originOf().apply(prefix + field),
                            "source '" + source.name() + "' is not registered for facility '" + facility + "'"));
                }
            });
            String type = EventTypes.of(event.getPayload());
            if (facilities.isEmpty() && !source.mayReportWithoutFacility(type)) {
                forbidden.add(new Violation(translated.originOf().apply(prefix + "type"), "source '" + source.name() + "' may not report "
                        + type + ", which names no facility (waybill.gateway.sources." + source.name() + ".unlocated-event-types)"));
            }
        }
        if (!forbidden.isEmpty()) {
            return json(Response.Status.FORBIDDEN, new Rejected("the request reports for facilities its source is not registered for; nothing was accepted", forbidden));
        }

        List<ShipmentEvent> events = sources.enabled() ? parsed.events().stream().map(e -> fromSource(e, source)).toList() : parsed.events();
        try {
            EventIngest.Result result = ingest.ingest(events);
            return Response.accepted(new Accepted(result.accepted(), result.accepted().size(), result.spooled(), result.duplicates()))
                    .type(MediaType.APPLICATION_JSON).build();
        } catch (EventIngest.RefusedException e) {
            LOG.debugf("refused %d event(s): %s", events.size(), e.getMessage());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                    .header("Retry-After", Integer.toString(e.retryAfterSeconds()))
                    .entity(new Rejected(e.getMessage(), List.of())).build();
        }
    }

    /**
     * The authenticated source replaces whatever the event says, so one source cannot report as
     * another; a different value the sender gave is kept in the attributes.
     */
    private static ShipmentEvent fromSource(ShipmentEvent event, Sources.Source source) {
        if (event.getSource().equals(source.name())) return event;
        Map<String, String> attributes = new HashMap<>(event.getAttributes());
        attributes.put(REPORTED_SOURCE_ATTRIBUTE, event.getSource());
        return ShipmentEvent.newBuilder(event).setSource(source.name()).setAttributes(attributes).build();
    }

    /** The facilities an event reports for, by its field in the public contract. */
    static Map<String, String> facilitiesOf(ShipmentEvent event) {
        Map<String, String> named = new LinkedHashMap<>();
        Object payload = event.getPayload();
        if (payload instanceof ShipmentCreated created) {
            named.put("data.origin", created.getOrigin());
            named.put("data.destination", created.getDestination());
        } else if (payload instanceof ArrivedAtFacility arrived) {
            named.put("data.facilityId", arrived.getFacilityId());
        } else if (payload instanceof DepartedFacility departed) {
            named.put("data.facilityId", departed.getFacilityId());
        } else if (payload instanceof OutForDelivery out) {
            named.put("data.facilityId", out.getFacilityId());
        } else if (payload instanceof Damaged damaged) {
            named.put("data.facilityId", damaged.getFacilityId());
        } else if (payload instanceof AddressCorrected corrected) {
            named.put("data.destination", corrected.getDestination());
        }
        return named;
    }

    private static Response json(Response.Status status, Rejected rejected) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(rejected).build();
    }
}
