package io.waybill.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.contract.ShipmentHistory;
import io.waybill.topology.shipment.HistoryRecords;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.query.HistoryView;
import io.waybill.topology.query.ShipmentView;
import io.waybill.topology.query.ExceptionView;
import io.waybill.contract.ShipmentException;
import java.util.function.BiFunction;
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
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The engine's internal query API. Any instance answers: it serves a key from its own store or
 * forwards to the owner; lists are gathered from every instance's index and merged by shipmentId,
 * so callers need no knowledge of partitioning.
 */
@Path("/internal/shipments")
@Produces(MediaType.APPLICATION_JSON)
@SecurityScheme(securitySchemeName = ShipmentQueryResource.SERVICE_TOKEN, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The engines' service token (waybill.engine.api-token), shared by the planner-api and the engines; not a user's JWT")
@SecurityRequirement(name = ShipmentQueryResource.SERVICE_TOKEN)
public class ShipmentQueryResource {

    /** The OpenAPI name of the service token every /internal call needs (see EngineApiAuth). */
    public static final String SERVICE_TOKEN = "serviceToken";

    static final String SERVED_BY = "X-Waybill-Served-By";
    /** Set on an answer from a standby replica (the active one is restoring or gone): it may lag. */
    static final String STALE = "X-Waybill-Stale";
    static final String LAG = "X-Waybill-Lag-Records";
    static final int MAX_LIMIT = 500;

    @Inject
    KafkaStreams streams;

    @Inject
    OwnerForwarder forwarder;

    @Inject
    ObjectMapper json;


    public record ErrorBody(String error) {
    }

    /** One page of a list: shipmentIds in order, and the cursor for the next page (null at the end). */
    public record Page(List<ShipmentView> items, String nextCursor, List<String> unavailableInstances) {
    }

    @GET
    @Path("/{shipmentId}")
    @Operation(summary = "The current state of one shipment (served by the owning engine instance)")
    public Response shipment(@PathParam("shipmentId") String shipmentId, @QueryParam("forwarded") boolean forwarded) {
        return byKey(shipmentId, forwarded, "", WaybillStores.SHIPMENT_STATE,
                (ShipmentState s, StoreAt at) -> ShipmentView.of(s, exceptionsOf(shipmentId, at)));
    }

    @GET
    @Path("/{shipmentId}/history")
    @Operation(summary = "Every event and command received for one shipment, in occurredAt order, with its outcome")
    public Response history(@PathParam("shipmentId") String shipmentId, @QueryParam("forwarded") boolean forwarded) {
        return byKey(shipmentId, forwarded, "/history", WaybillStores.SHIPMENT_HISTORY,
                (ReadOnlyKeyValueStore<String, ShipmentHistory> store) -> HistoryRecords.read(store, shipmentId),
                (ShipmentHistory h, StoreAt at) -> HistoryView.of(h));
    }

    /** Where a key was read: its partition, and whether from a standby replica. */
    record StoreAt(int partition, boolean stale) {
    }

    private <V> Response byKey(String shipmentId, boolean forwarded, String suffix, String storeName, BiFunction<V, StoreAt, Object> view) {
        return byKey(shipmentId, forwarded, suffix, storeName, store -> store.get(shipmentId), view);
    }

    /** As above, with how the value is read from the partition's store (the history is a range of records). */
    private <V> Response byKey(String shipmentId, boolean forwarded, String suffix, String storeName,
                               java.util.function.Function<ReadOnlyKeyValueStore<String, V>, V> reader, BiFunction<V, StoreAt, Object> view) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(storeName, shipmentId, Serdes.String().serializer());
        } catch (IllegalStateException notRunning) {
            return unavailable("the engine is not running: " + notRunning.getMessage());
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return unavailable("no instance owns the shipment's partition yet (rebalancing or restoring)");
        }
        HostInfo owner = metadata.activeHost();
        boolean standbyHere = metadata.standbyHosts().stream().anyMatch(forwarder::isSelf);
        if (!forwarder.isSelf(owner)) {
            if (forwarded) {
                // The caller thought we own it: ownership is moving. Do not bounce the request around.
                return standbyHere ? read(shipmentId, storeName, metadata.partition(), true, reader, view)
                        : unavailable("ownership of the shipment's partition is moving");
            }
            Response relayed = forwarder.forward(owner, "/internal/shipments/" + encode(shipmentId) + suffix + "?forwarded=true");
            if (relayed.getStatus() == 503 && standbyHere) {
                // The owner cannot answer (killed, restoring): a standby copy, flagged, beats no answer.
                return read(shipmentId, storeName, metadata.partition(), true, reader, view);
            }
            return relayed;
        }
        Response active = read(shipmentId, storeName, metadata.partition(), false, reader, view);
        if (active.getStatus() == 503 && standbyHere) return read(shipmentId, storeName, metadata.partition(), true, reader, view);
        return active;
    }

    private <V> Response read(String shipmentId, String storeName, int partition, boolean stale,
                              java.util.function.Function<ReadOnlyKeyValueStore<String, V>, V> reader, BiFunction<V, StoreAt, Object> view) {
        V value;
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> query = StoreQueryParameters
                    .fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition);
            value = reader.apply(streams.store(stale ? query.enableStaleStores() : query));
        } catch (InvalidStateStoreException e) {
            return unavailable("the shipment's store is not queryable: " + e.getMessage());
        }
        if (value == null && stale) {
            // A standby that lacks the key may still be restoring: "unknown" would be a wrong answer, not a stale one.
            return unavailable("only a standby copy could answer, and it does not hold the shipment (it may still be restoring)");
        }
        if (value == null) {
            return Response.status(Response.Status.NOT_FOUND).header(SERVED_BY, forwarder.self())
                    .entity(new ErrorBody("shipment " + shipmentId + " is unknown")).build();
        }
        Response.ResponseBuilder ok = Response.ok(view.apply(value, new StoreAt(partition, stale))).header(SERVED_BY, forwarder.self());
        if (stale) ok.header(STALE, "true").header(LAG, lagOf(storeName, partition));
        return ok.build();
    }

    private long lagOf(String storeName, int partition) {
        try {
            var lag = streams.allLocalStorePartitionLags().getOrDefault(storeName, java.util.Map.of()).get(partition);
            return lag == null ? -1 : lag.offsetLag();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The shipment's exceptions, newest first, from the same partition (and replica) as its state. */
    private List<ExceptionView> exceptionsOf(String shipmentId, StoreAt at) {
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, ShipmentException>> query = StoreQueryParameters
                    .fromNameAndType(WaybillStores.SHIPMENT_EXCEPTIONS, QueryableStoreTypes.<String, ShipmentException>keyValueStore())
                    .withPartition(at.partition());
            return exceptionsIn(streams.store(at.stale() ? query.enableStaleStores() : query), shipmentId);
        } catch (InvalidStateStoreException e) {
            return List.of();
        }
    }

    /** A shipment's exceptions in one partition's exception store, newest first. */
    private static List<ExceptionView> exceptionsIn(ReadOnlyKeyValueStore<String, ShipmentException> store, String shipmentId) {
        List<ExceptionView> views = new ArrayList<>();
        try (KeyValueIterator<String, ShipmentException> it = store.range(shipmentId + "|", shipmentId + "|~")) {
            it.forEachRemaining(kv -> views.add(ExceptionView.of(kv.value)));
        }
        views.sort(java.util.Comparator.comparing(ExceptionView::detectedAt).reversed());
        return views;
    }

    @GET
    @Operation(summary = "Shipments by status or facility, from every instance's index, ordered by shipmentId, cursor-paginated")
    public Response list(@QueryParam("status") String status, @QueryParam("facility") String facility,
                         @QueryParam("slaStatus") String slaStatus, @QueryParam("workflow") String workflow,
                         @QueryParam("cursor") String cursor, @QueryParam("limit") @DefaultValue("100") int limit,
                         @QueryParam("local") boolean localOnly) {
        if (status == null && facility == null && slaStatus == null && workflow == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new ErrorBody("give at least one of status, facility, slaStatus or workflow")).build();
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new ErrorBody("limit must be between 1 and " + MAX_LIMIT)).build();
        }
        // The most selective index drives the scan; the other filters are applied to the states read.
        String prefix = facility != null ? ShipmentIndex.facilityPrefix(facility) : status != null ? ShipmentIndex.statusPrefix(status)
                : workflow != null ? ShipmentIndex.workflowPrefix(workflow) : ShipmentIndex.slaPrefix(slaStatus);
        // Every source (this instance, each peer) considers at most `limit` ids after the cursor and says where it
        // stopped (its horizon; none when it had no more). A page may only hold ids up to the smallest horizon:
        // beyond it a source has ids it has not shown, and a cursor past them would skip them for good.
        TreeSet<String> considered = new TreeSet<>();
        java.util.Map<String, ShipmentView> passing = new java.util.HashMap<>();
        String horizon = null;
        List<String> unavailable = new ArrayList<>();
        try {
            List<PartitionScans.Found> local = PartitionScans.firstKeysAfter(streams, WaybillStores.SHIPMENT_INDEX, prefix, cursor, limit);
            for (ShipmentView v : localViews(local)) {
                if (matches(v, status, slaStatus, workflow)) passing.put(v.shipmentId(), v);
            }
            local.forEach(f -> considered.add(ShipmentIndex.shipmentId(f.key())));
            if (local.size() == limit) horizon = ShipmentIndex.shipmentId(local.get(local.size() - 1).key());
        } catch (InvalidStateStoreException | IllegalStateException e) {
            if (localOnly) return unavailable("the index is not queryable here: " + e.getMessage());
            unavailable.add(forwarder.self());
        }
        if (!localOnly) {
            String query = "/internal/shipments?local=true&limit=" + limit
                    + (status != null ? "&status=" + encode(status) : "") + (facility != null ? "&facility=" + encode(facility) : "")
                    + (slaStatus != null ? "&slaStatus=" + encode(slaStatus) : "") + (workflow != null ? "&workflow=" + encode(workflow) : "")
                    + (cursor != null ? "&cursor=" + encode(cursor) : "");
            for (StreamsMetadata peer : forwarder.peers()) {
                var answer = forwarder.call(peer.hostInfo(), query);
                if (answer.isEmpty() || answer.get().statusCode() != 200) {
                    unavailable.add(peer.hostInfo().host() + ":" + peer.hostInfo().port());
                    continue;
                }
                try {
                    Page page = json.readValue(answer.get().body(), Page.class);
                    // a peer's items passed the filters there; the ids it dropped lie below its horizon
                    page.items().forEach(v -> {
                        passing.put(v.shipmentId(), v);
                        considered.add(v.shipmentId());
                    });
                    if (page.nextCursor() != null && (horizon == null || page.nextCursor().compareTo(horizon) < 0)) horizon = page.nextCursor();
                    if (page.unavailableInstances() != null) unavailable.addAll(page.unavailableInstances());
                } catch (Exception e) {
                    unavailable.add(peer.hostInfo().host() + ":" + peer.hostInfo().port());
                }
            }
        }
        String last = horizon;
        List<String> page = considered.stream().filter(id -> last == null || id.compareTo(last) <= 0).limit(limit).toList();
        List<ShipmentView> items = page.stream().map(passing::get).filter(java.util.Objects::nonNull).toList();
        String next = page.size() == limit ? page.get(page.size() - 1) : horizon;
        return Response.ok(new Page(items, next, unavailable)).header(SERVED_BY, forwarder.self()).build();
    }

    private static boolean matches(ShipmentView v, String status, String slaStatus, String workflow) {
        return (status == null || status.equals(v.status())) && (slaStatus == null || slaStatus.equals(v.slaStatus()))
                && (workflow == null || workflow.equals(v.workflowName()));
    }

    /**
     * The views of shipments found in this instance's index, each read from the partition its index key is in
     * (the state and the index of a shipment are in the same task), with one store lookup per partition.
     */
    private List<ShipmentView> localViews(List<PartitionScans.Found> found) {
        java.util.Map<Integer, List<String>> byPartition = new java.util.TreeMap<>();
        found.forEach(f -> byPartition.computeIfAbsent(f.partition(), p -> new ArrayList<>()).add(ShipmentIndex.shipmentId(f.key())));
        List<ShipmentView> views = new ArrayList<>();
        byPartition.forEach((partition, ids) -> {
            ReadOnlyKeyValueStore<String, ShipmentState> states = PartitionScans.partition(streams, WaybillStores.SHIPMENT_STATE, partition);
            ReadOnlyKeyValueStore<String, ShipmentException> exceptions = PartitionScans.partition(streams, WaybillStores.SHIPMENT_EXCEPTIONS, partition);
            for (String id : ids) {
                ShipmentState state = states.get(id);
                if (state != null) views.add(ShipmentView.of(state, exceptionsIn(exceptions, id)));
            }
        });
        return views;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Response unavailable(String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1").header(SERVED_BY, forwarder.self())
                .entity(new ErrorBody(reason)).build();
    }
}
