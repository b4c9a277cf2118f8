package io.waybill.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One shipment end to end: gateway → Kafka → engine → planner-api, all real processes. */
class EndToEndTest extends SystemTest {

    @Override
    protected int engines() {
        return 2;
    }

    @Test
    void an_event_posted_to_the_gateway_becomes_the_state_the_planner_api_returns() {
        // given a booking and an arrival posted to the gateway
        String shipmentId = "E2E-" + UUID.randomUUID().toString().substring(0, 8);
        String gateway = system.services.gateway().url() + "/api/v1/events";
        assertThat(Http.postJson(gateway, ShipmentJourneys.event(ShipmentJourneys.newEventId(), shipmentId, 0)).status()).isEqualTo(202);
        assertThat(Http.postJson(gateway, ShipmentJourneys.event(ShipmentJourneys.newEventId(), shipmentId, 1)).status()).isEqualTo(202);

        // when the planner-api is asked, then it returns the engine's state of the shipment
        String url = system.services.plannerApi().url() + "/api/v1/shipments/" + shipmentId;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Http.Response response = Http.get(url, system.services.token("viewer"));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode state = response.json();
            assertThat(state.get("shipmentId").asText()).isEqualTo(shipmentId);
            assertThat(state.get("status").asText()).isEqualTo("AT_FACILITY");
            assertThat(state.get("lastFacilityId").asText()).isEqualTo("BER-HUB");
            assertThat(state.get("eventsApplied").asLong()).isEqualTo(2);
            assertThat(state.get("lastEventAt").isNull()).isFalse();
        });
        assertThat(Http.get(system.services.plannerApi().url() + "/api/v1/shipments/NO-SUCH-" + shipmentId, system.services.token("viewer")).status()).isEqualTo(404);
    }

    @Test
    void a_planner_command_is_read_back_with_read_your_writes() {
        // given a shipment at a hub
        String shipmentId = "CMD-" + UUID.randomUUID().toString().substring(0, 8);
        String gateway = system.services.gateway().url() + "/api/v1/events";
        assertThat(Http.postJson(gateway, ShipmentJourneys.event(ShipmentJourneys.newEventId(), shipmentId, 0)).status()).isEqualTo(202);
        assertThat(Http.postJson(gateway, ShipmentJourneys.event(ShipmentJourneys.newEventId(), shipmentId, 1)).status()).isEqualTo(202);
        String api = system.services.plannerApi().url() + "/api/v1/shipments/" + shipmentId;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Http.get(api, system.services.token("viewer")).status()).isEqualTo(200));

        // when a planner holds it and reads it back waiting for that command
        Http.Response accepted = Http.postJson(api + "/commands", "{\"type\":\"HOLD\",\"reason\":\"customs check\"}", system.services.token("planner"));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String commandId = accepted.json().get("commandId").asText();
        Http.Response read = Http.get(api + "?afterCommand=" + commandId + "&waitSeconds=20", system.services.token("viewer"));

        // then the read already shows the command's effect, and the history names it
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("status").asText()).isEqualTo("HELD");
        assertThat(read.json().get("holdReason").asText()).isEqualTo("customs check");
        assertThat(read.json().get("lastCommandId").asText()).isEqualTo(commandId);
        JsonNode history = Http.get(api + "/history", system.services.token("viewer")).json();
        assertThat(history.get("entries").findValuesAsText("id")).contains(commandId);
    }

    @Test
    void each_engine_instance_answers_for_shipments_the_other_owns_by_forwarding() {
        // given twenty shipments, spread over the partitions both engines own
        String gateway = system.services.gateway().url() + "/api/v1/events";
        List<String> shipments = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "FWD-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            shipments.add(id);
            assertThat(Http.postJson(gateway, ShipmentJourneys.event(ShipmentJourneys.newEventId(), id, 0)).status()).isEqualTo(202);
        }

        // when each engine is asked for every shipment
        Set<String> servedBy = new HashSet<>();
        for (int e = 0; e < 2; e++) {
            String engine = system.services.engine(e).url();
            String self = engine.replace("http://", "");
            for (String id : shipments) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    Http.Response response = Http.engine(engine + "/internal/shipments/" + id, system.services);
                    assertThat(response.status()).as(response.body()).isEqualTo(200);
                    assertThat(response.json().get("status").asText()).isEqualTo("BOOKED");
                });
                String owner = Http.engine(engine + "/internal/shipments/" + id, system.services).header("X-Waybill-Served-By").orElseThrow();
                servedBy.add(self + " <- " + owner);
            }
        }

        // then both answered every key, and each served some keys from the other instance
        String first = system.services.engine(0).url().replace("http://", "");
        String second = system.services.engine(1).url().replace("http://", "");
        assertThat(servedBy).contains(first + " <- " + second, second + " <- " + first);

        // and asked without the service token, or with a planner's own bearer token, each engine refuses (401),
        // also a query marked as forwarded by a peer: the network is not the only lock
        for (int e = 0; e < 2; e++) {
            String url = system.services.engine(e).url() + "/internal/shipments/" + shipments.get(0);
            assertThat(Http.get(url).status()).as("no token").isEqualTo(401);
            assertThat(Http.get(url + "?forwarded=true").status()).as("no token, forwarded").isEqualTo(401);
            assertThat(Http.get(url, system.services.token("admin")).status()).as("a user's token").isEqualTo(401);
            assertThat(Http.get(system.services.engine(e).url() + "/q/health/ready").status()).as("the probe stays open").isEqualTo(200);
        }
    }
}
