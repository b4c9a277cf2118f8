package io.waybill.engine;

import io.waybill.contract.ShipmentState;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.query.ShipmentView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The engine's internal query API: a shipment's state from the instance that owns its partition.
 * Any instance answers: it serves the key from its own store or forwards to the owner, so callers
 * need no knowledge of partitioning.
 */
@Path("/internal/shipments")
@Produces(MediaType.APPLICATION_JSON)
public class ShipmentQueryResource {

    static final String SERVED_BY = "X-Waybill-Served-By";

    @Inject
    KafkaStreams streams;

    @Inject
    OwnerForwarder forwarder;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String self;

    @GET
    @Path("/{shipmentId}")
    @Operation(summary = "The current state of one shipment (served by the owning engine instance)")
    public Response shipment(@PathParam("shipmentId") String shipmentId, @QueryParam("forwarded") boolean forwarded) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(WaybillStores.SHIPMENT_STATE, shipmentId, Serdes.String().serializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return unavailable("no instance owns the shipment's partition yet (rebalancing or restoring)");
        }
        HostInfo owner = metadata.activeHost();
        if (!isSelf(owner)) {
            if (forwarded) {
                // The caller thought we own it: metadata is moving. Do not bounce the request around.
                return unavailable("ownership of the shipment's partition is moving");
            }
            return forwarder.forward(owner, shipmentId);
        }
        ShipmentState state;
        try {
            ReadOnlyKeyValueStore<String, ShipmentState> store = streams.store(StoreQueryParameters
                    .fromNameAndType(WaybillStores.SHIPMENT_STATE, QueryableStoreTypes.<String, ShipmentState>keyValueStore())
                    .withPartition(metadata.partition()));
            state = store.get(shipmentId);
        } catch (InvalidStateStoreException e) {
            return unavailable("the shipment's store is not queryable: " + e.getMessage());
        }
        if (state == null) {
            return Response.status(Response.Status.NOT_FOUND).header(SERVED_BY, self)
                    .entity(new ErrorBody("shipment " + shipmentId + " is unknown")).build();
        }
        return Response.ok(ShipmentView.of(state)).header(SERVED_BY, self).build();
    }

    private boolean isSelf(HostInfo owner) {
        return (owner.host() + ":" + owner.port()).equals(self);
    }

    private Response unavailable(String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1").header(SERVED_BY, self)
                .entity(new ErrorBody(reason)).build();
    }

    public record ErrorBody(String error) {
    }
}
