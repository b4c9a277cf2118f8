package io.waybill.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionIndex;
import io.waybill.topology.query.ExceptionView;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exceptions across all engine instances: each instance scans the exception index of the partitions
 * it owns (ordered by detection time, oldest first), the asked instance merges the pages. Counts for
 * dashboards are gathered the same way.
 */
@Path("/internal/exceptions")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = ShipmentQueryResource.SERVICE_TOKEN)
public class ExceptionQueryResource {

    @Inject
    KafkaStreams streams;

    @Inject
    OwnerForwarder forwarder;

    @Inject
    ObjectMapper json;


    private final Clock clock = Clock.systemUTC();

    public record Page(List<ExceptionView> items, String nextCursor, List<String> unavailableInstances) {
    }

    public record Counts(Map<String, Integer> byFacility, Map<String, Integer> byType, Map<String, Integer> bySeverity,
                         List<String> unavailableInstances) {
    }

    @GET
    @Operation(summary = "Active exceptions (open or acknowledged) by facility, type, severity and age, oldest first, cursor-paginated; "
            + "status=RESOLVED or AUTO_RESOLVED lists closed ones still kept")
    public Response list(@QueryParam("status") @DefaultValue("OPEN") String status, @QueryParam("facility") String facility,
                         @QueryParam("type") String type, @QueryParam("severity") String severity,
                         @QueryParam("olderThan") String olderThan, @QueryParam("cursor") String cursor,
                         @QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("local") boolean localOnly) {
        List<String> problems = new ArrayList<>();
        if (!isOneOf(ExceptionStatus.class, status)) problems.add("status must be one of " + Arrays.toString(ExceptionStatus.values()));
        if (type != null && !isOneOf(ExceptionType.class, type)) problems.add("type must be one of " + Arrays.toString(ExceptionType.values()));
        if (severity != null && !isOneOf(Severity.class, severity)) problems.add("severity must be one of " + Arrays.toString(Severity.values()));
        long cutoff = Long.MAX_VALUE;
        if (olderThan != null) {
            try {
                cutoff = clock.millis() - Duration.parse(olderThan).toMillis();
            } catch (DateTimeParseException e) {
                problems.add("olderThan must be an ISO-8601 duration such as PT2H");
            }
        }
        if (limit < 1 || limit > ShipmentQueryResource.MAX_LIMIT) problems.add("limit must be between 1 and " + ShipmentQueryResource.MAX_LIMIT);
        if (!problems.isEmpty()) {
            return Response.status(Response.Status.BAD_REQUEST).entity(new ShipmentQueryResource.ErrorBody(String.join("; ", problems))).build();
        }
        String prefix = facility != null ? ExceptionIndex.facilityPrefix(facility) : type != null ? ExceptionIndex.typePrefix(type)
                : severity != null ? ExceptionIndex.severityPrefix(severity) : ExceptionIndex.ALL;
        List<ExceptionView> found = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        try {
            found.addAll(local(prefix, status, type, severity, cutoff, cursor, limit));
        } catch (InvalidStateStoreException | IllegalStateException e) {
            if (localOnly) return Response.status(503).header("Retry-After", "1").entity(new ShipmentQueryResource.ErrorBody(e.getMessage())).build();
            unavailable.add(forwarder.self());
        }
        if (!localOnly) {
            String query = "/internal/exceptions?local=true&limit=" + limit + "&status=" + status + param("facility", facility)
                    + param("type", type) + param("severity", severity) + param("olderThan", olderThan) + param("cursor", cursor);
            for (StreamsMetadata peer : forwarder.peers()) {
                var answer = forwarder.call(peer.hostInfo(), query);
                if (answer.isEmpty() || answer.get().statusCode() != 200) {
                    unavailable.add(OwnerForwarder.name(peer.hostInfo()));
                    continue;
                }
                try {
                    found.addAll(json.readValue(json.readTree(answer.get().body()).get("items").toString(),
                            new TypeReference<List<ExceptionView>>() {
                            }));
                } catch (Exception e) {
                    unavailable.add(OwnerForwarder.name(peer.hostInfo()));
                }
            }
        }
        found.sort(Comparator.comparing(ExceptionQueryResource::cursorOf));
        List<ExceptionView> page = found.stream().limit(limit).toList();
        String next = page.size() == limit ? cursorOf(page.get(page.size() - 1)) : null;
        return Response.ok(new Page(page, next, unavailable)).build();
    }

    @GET
    @Path("/counts")
    @Operation(summary = "Active exceptions counted by facility, type and severity, across all instances")
    public Response counts(@QueryParam("local") boolean localOnly) {
        Map<String, Integer> byFacility = new TreeMap<>();
        Map<String, Integer> byType = new TreeMap<>();
        Map<String, Integer> bySeverity = new TreeMap<>();
        List<String> unavailable = new ArrayList<>();
        try (KeyValueIterator<String, String> it = index().all()) {
            it.forEachRemaining(kv -> {
                String[] parts = kv.key.split("/");
                Map<String, Integer> into = switch (parts[0]) {
                    case "facility" -> byFacility;
                    case "type" -> byType;
                    case "severity" -> bySeverity;
                    default -> null;
                };
                if (into != null) into.merge(parts[1], 1, Integer::sum);
            });
        } catch (InvalidStateStoreException | IllegalStateException e) {
            if (localOnly) return Response.status(503).header("Retry-After", "1").entity(new ShipmentQueryResource.ErrorBody(e.getMessage())).build();
            unavailable.add(forwarder.self());
        }
        if (!localOnly) {
            for (StreamsMetadata peer : forwarder.peers()) {
                var answer = forwarder.call(peer.hostInfo(), "/internal/exceptions/counts?local=true");
                if (answer.isEmpty() || answer.get().statusCode() != 200) {
                    unavailable.add(OwnerForwarder.name(peer.hostInfo()));
                    continue;
                }
                try {
                    JsonNode body = json.readTree(answer.get().body());
                    merge(body.get("byFacility"), byFacility);
                    merge(body.get("byType"), byType);
                    merge(body.get("bySeverity"), bySeverity);
                } catch (Exception e) {
                    unavailable.add(OwnerForwarder.name(peer.hostInfo()));
                }
            }
        }
        return Response.ok(new Counts(byFacility, byType, bySeverity, unavailable)).build();
    }

    /**
     * The first {@code limit} matching exceptions after the cursor (in cursor order) over all of this instance's
     * active partitions: active ones through each partition's index, read only as far as a page needs.
     */
    private List<ExceptionView> local(String prefix, String status, String type, String severity, long cutoff, String cursor, int limit) {
        List<ExceptionView> found = new ArrayList<>();
        boolean closed = status.equals("RESOLVED") || status.equals("AUTO_RESOLVED");
        if (closed) {
            ReadOnlyKeyValueStore<String, ShipmentException> exceptions = streams.store(StoreQueryParameters.fromNameAndType(
                    WaybillStores.SHIPMENT_EXCEPTIONS, QueryableStoreTypes.<String, ShipmentException>keyValueStore()));
            // Closed exceptions are not indexed: scan the (per-instance) store.
            try (KeyValueIterator<String, ShipmentException> it = exceptions.all()) {
                while (it.hasNext()) {
                    ShipmentException e = it.next().value;
                    ExceptionView v = ExceptionView.of(e);
                    if (matches(v, status, null, type, severity, cutoff) && (cursor == null || cursorOf(v).compareTo(cursor) > 0)) found.add(v);
                }
            }
        } else {
            // Each partition from the cursor's millisecond on, in index order (detectedAt, then store key), and only as far
            // as a page can need: up to `limit` matches, then to the end of the last match's millisecond, because
            // within a millisecond the cursor orders by exceptionId, not by store key (see PartitionScans).
            String from = cursor == null || cursor.indexOf('/') < 0 ? prefix : prefix + cursor.substring(0, cursor.indexOf('/'));
            for (int partition : PartitionScans.activePartitions(streams)) {
                ReadOnlyKeyValueStore<String, String> index = PartitionScans.partition(streams, WaybillStores.EXCEPTION_INDEX, partition);
                ReadOnlyKeyValueStore<String, ShipmentException> store = PartitionScans.partition(streams, WaybillStores.SHIPMENT_EXCEPTIONS, partition);
                int matched = 0;
                long lastMatchAt = Long.MIN_VALUE;
                try (KeyValueIterator<String, String> it = index.range(from, null)) {
                    while (it.hasNext()) {
                        String key = it.next().key;
                        if (!key.startsWith(prefix)) break;
                        long at = ExceptionIndex.detectedAt(key);
                        if (at > cutoff) break; // younger than olderThan, and so is every key after it
                        if (matched >= limit && at > lastMatchAt) break;
                        ShipmentException e = store.get(ExceptionIndex.exceptionKey(key));
                        if (e == null) continue;
                        ExceptionView v = ExceptionView.of(e);
                        if (matches(v, status, null, type, severity, cutoff) && (cursor == null || cursorOf(v).compareTo(cursor) > 0)) {
                            found.add(v);
                            matched++;
                            lastMatchAt = at;
                        }
                    }
                }
            }
        }
        found.sort(Comparator.comparing(ExceptionQueryResource::cursorOf));
        return found.size() > limit ? new ArrayList<>(found.subList(0, limit)) : found;
    }

    private static boolean matches(ExceptionView v, String status, String facility, String type, String severity, long cutoff) {
        return v.status().equals(status) && (type == null || type.equals(v.type())) && (severity == null || severity.equals(v.severity()))
                && (facility == null || facility.equals(v.facilityId())) && v.detectedAt().toEpochMilli() <= cutoff;
    }

    /** Oldest first; the cursor is "detectedAt/exceptionId" of the last item. */
    static String cursorOf(ExceptionView v) {
        return ExceptionIndex.pad(v.detectedAt().toEpochMilli()) + "/" + v.exceptionId();
    }

    private ReadOnlyKeyValueStore<String, String> index() {
        return streams.store(StoreQueryParameters.fromNameAndType(WaybillStores.EXCEPTION_INDEX,
                QueryableStoreTypes.<String, String>keyValueStore()));
    }

    private static void merge(JsonNode counts, Map<String, Integer> into) {
        if (counts == null) return;
        counts.fields().forEachRemaining(e -> into.merge(e.getKey(), e.getValue().asInt(), Integer::sum));
    }

    private static <E extends Enum<E>> boolean isOneOf(Class<E> type, String value) {
        return Arrays.stream(type.getEnumConstants()).anyMatch(c -> c.name().equals(value));
    }



    private static String param(String name, String value) {
        return value == null ? "" : "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
