package io.waybill.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.TransportMode;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The live stream over HTTP, fed by records on a real cluster. */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class LiveStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/api/v1/stream")
    URI stream;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void a_viewer_gets_the_shipments_and_exceptions_of_its_facility_as_they_happen() throws Exception {
        // given a viewer subscribed to one facility
        String facility = "LIVE-" + UUID.randomUUID().toString().substring(0, 6);
        try (Subscription sse = subscribe(facility, TestTokens.forRole("viewer"))) {
            assertThat(sse.status).isEqualTo(200);
            assertThat(sse.next().comment).startsWith("connected");

            // when a shipment elsewhere changes, then one routed through the facility, then an exception is raised there
            Instant now = Instant.now();
            TestTopics.produce(WaybillTopic.SHIPMENT_STATE, "LIVE-OTHER", state("LIVE-OTHER", "SOMEWHERE-ELSE", null, now));
            TestTopics.produce(WaybillTopic.SHIPMENT_STATE, "LIVE-1", state("LIVE-1", "ORIGIN-HUB", facility, now));
            TestTopics.produce(WaybillTopic.SHIPMENT_EXCEPTIONS, "LIVE-1", exception("LIVE-1", facility, now));

            // then the subscriber gets the routed shipment, with the engine's field names and its route, and the exception
            // (in either order: they come from two topics)
            Map<String, JsonNode> events = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Event event = sse.nextEvent();
                events.put(event.name, JSON.readTree(event.data));
            }
            assertThat(events).containsOnlyKeys("shipment", "exception");
            JsonNode s = events.get("shipment");
            assertThat(s.path("shipmentId").asText()).isEqualTo("LIVE-1");
            assertThat(s.path("status").asText()).isEqualTo("IN_TRANSIT");
            assertThat(s.path("lastFacilityId").asText()).isEqualTo("ORIGIN-HUB");
            assertThat(s.path("slaStatus").asText()).isEqualTo("AT_RISK");
            assertThat(s.path("routePlan").path("legs").get(0).path("toFacilityId").asText()).isEqualTo(facility);
            assertThat(s.path("updatedAt").asText()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());

            JsonNode e = events.get("exception");
            assertThat(e.path("exceptionId").asText()).isEqualTo("LIVE-1:MISSED_SCAN:1");
            assertThat(e.path("type").asText()).isEqualTo("MISSED_SCAN");
            assertThat(e.path("facilityId").asText()).isEqualTo(facility);
            assertThat(e.path("status").asText()).isEqualTo("OPEN");

            // and heartbeats keep the connection alive (every second in tests, 15 s by default)
            assertThat(sse.next().comment).startsWith("heartbeat");
        }
    }

    @Test
    void without_a_token_the_stream_is_401() throws Exception {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(stream).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    private static ShipmentState state(String id, String lastFacility, String legTo, Instant now) {
        var builder = ShipmentState.newBuilder().setShipmentId(id).setStatus(ShipmentStatus.IN_TRANSIT).setLastFacilityId(lastFacility)
                .setUpdatedAt(now).setEventsApplied(3).setSlaStatus(SlaStatus.AT_RISK);
        if (legTo != null) {
            builder.setRoutePlan(RoutePlan.newBuilder().setPlanId(id + "#1").setRevision(1).setPlannedAt(now).setReason("BOOKED")
                    .setFromFacilityId(lastFacility).setToFacilityId(legTo).setArrivalAtDestination(now.plus(Duration.ofHours(5)))
                    .setLegs(List.of(RouteLeg.newBuilder().setLaneId("L-LIVE").setFromFacilityId(lastFacility).setToFacilityId(legTo)
                            .setCarrier("c").setMode(TransportMode.ROAD).setPlannedDeparture(now).setPlannedArrival(now.plus(Duration.ofHours(5)))
                            .build())).build());
        }
        return builder.build();
    }

    private static ShipmentException exception(String shipmentId, String facility, Instant now) {
        return ShipmentException.newBuilder().setExceptionId(shipmentId + ":MISSED_SCAN:1").setShipmentId(shipmentId)
                .setType(ExceptionType.MISSED_SCAN).setSeverity(Severity.HIGH).setStatus(ExceptionStatus.OPEN).setFacilityId(facility)
                .setDetectedAt(now).setUpdatedAt(now).setCause("no scan at " + facility + " for 2 h").build();
    }

    /** One SSE message: a comment, or an event with a name and data. */
    record Event(String comment, String name, String data) {
    }

    private Subscription subscribe(String facility, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stream + "?facility=" + facility))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).build();
        HttpResponse<Stream<String>> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        return new Subscription(response);
    }

    /** Reads the stream's lines on a thread of its own and hands out whole messages. */
    private static final class Subscription implements AutoCloseable {
        final int status;
        private final Stream<String> lines;
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

        Subscription(HttpResponse<Stream<String>> response) {
            this.status = response.statusCode();
            this.lines = response.body();
            Thread reader = new Thread(() -> {
                String name = null;
                StringBuilder data = new StringBuilder();
                try {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith(":")) {
                            events.add(new Event(line.substring(1).trim(), null, null));
                        } else if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).trim());
                        } else if (line.isEmpty() && name != null) {
                            events.add(new Event(null, name, data.toString()));
                            name = null;
                            data.setLength(0);
                        }
                    }
                } catch (RuntimeException closed) {
                    // the test closed the stream
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next message, comments included. */
        Event next() throws InterruptedException {
            Event e = events.poll(20, TimeUnit.SECONDS);
            if (e == null) throw new AssertionError("no message on the stream within 20 s");
            return e;
        }

        /** The next named event, skipping heartbeats. */
        Event nextEvent() throws InterruptedException {
            Event e;
            do {
                e = next();
            } while (e.comment != null);
            return e;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }
}
