package io.waybill.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionIndex;
import io.waybill.topology.shipment.ShipmentIndex;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A facility's load from the engine's indexes: shipments on hand (at it now), expected inbound
 * (planned arrivals within the next hours) and active exceptions there, summed over all instances.
 */
@Path("/internal/facilities")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = ShipmentQueryResource.SERVICE_TOKEN)
public class FacilityLoadResource {

    @Inject
    KafkaStreams streams;

    @Inject
    OwnerForwarder forwarder;

    @Inject
    ObjectMapper json;


    private final Clock clock = Clock.systemUTC();

    public record Load(String facilityId, long onHand, long expectedInbound, long openExceptions, int hours,
                       List<String> unavailableInstances) {
    }

    @GET
    @Path("/{facilityId}/load")
    @Operation(summary = "Shipments on hand, expected inbound in the next hours, and active exceptions at a facility")
    public Response load(@PathParam("facilityId") String facilityId, @QueryParam("hours") @DefaultValue("6") int hours,
                         @QueryParam("local") boolean localOnly) {
        if (hours < 1 || hours > 168) {
            return Response.status(400).entity(new ShipmentQueryResource.ErrorBody("hours must be between 1 and 168")).build();
        }
        long onHand = 0, inbound = 0, open = 0;
        List<String> unavailable = new ArrayList<>();
        try {
            ReadOnlyKeyValueStore<String, String> shipments = store(WaybillStores.SHIPMENT_INDEX);
            ReadOnlyKeyValueStore<String, String> exceptions = store(WaybillStores.EXCEPTION_INDEX);
            long now = clock.millis();
            String from = ShipmentIndex.inboundPrefix(facilityId) + ExceptionIndex.pad(now);
            String to = ShipmentIndex.inboundPrefix(facilityId) + ExceptionIndex.pad(now + hours * 3_600_000L) + "/\uffff";
            onHand = count(shipments, ShipmentIndex.statusPrefix("AT_FACILITY"), facilityId, true);
            try (KeyValueIterator<String, String> it = shipments.range(from, to)) {
                while (it.hasNext()) {
                    it.next();
                    inbound++;
                }
            }
            open = count(exceptions, ExceptionIndex.facilityPrefix(facilityId), null, false);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            if (localOnly) return Response.status(503).header("Retry-After", "1").entity(new ShipmentQueryResource.ErrorBody(e.getMessage())).build();
            unavailable.add(forwarder.self());
        }
        if (!localOnly) {
            for (StreamsMetadata peer : forwarder.peers()) {
                String name = OwnerForwarder.name(peer.hostInfo());
                var answer = forwarder.call(peer.hostInfo(), "/internal/facilities/" + URLEncoder.encode(facilityId, StandardCharsets.UTF_8)
                        + "/load?local=true&hours=" + hours);
                if (answer.isEmpty() || answer.get().statusCode() != 200) {
                    unavailable.add(name);
                    continue;
                }
                try {
                    JsonNode body = json.readTree(answer.get().body());
                    onHand += body.get("onHand").asLong();
                    inbound += body.get("expectedInbound").asLong();
                    open += body.get("openExceptions").asLong();
                } catch (Exception e) {
                    unavailable.add(name);
                }
            }
        }
        return Response.ok(new Load(facilityId, onHand, inbound, open, hours, unavailable)).build();
    }

    /** On hand: AT_FACILITY shipments whose facility index entry names this facility. */
    private long count(ReadOnlyKeyValueStore<String, String> store, String prefix, String facilityId, boolean atFacility) {
        long n = 0;
        if (atFacility) {
            ReadOnlyKeyValueStore<String, String> index = store;
            try (KeyValueIterator<String, String> it = index.prefixScan(ShipmentIndex.facilityPrefix(facilityId), new StringSerializer())) {
                while (it.hasNext()) {
                    String id = ShipmentIndex.shipmentId(it.next().key);
                    if (index.get(prefix + id) != null) n++;
                }
            }
            return n;
        }
        try (KeyValueIterator<String, String> it = store.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private ReadOnlyKeyValueStore<String, String> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, String>keyValueStore()));
    }
}
