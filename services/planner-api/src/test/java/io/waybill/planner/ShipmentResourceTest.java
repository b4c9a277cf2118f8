package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.StartReturnCommand;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.testkit.WaybillTestResource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The planner-api with stand-in engines (their own behaviour is tested in the engine module and end
 * to end in system-tests) and a real Kafka cluster and registry for the commands it publishes.
 */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class ShipmentResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void reset() {
        StubEngines.reset();
    }

    @Test
    void a_valid_command_is_published_keyed_by_shipment_and_answered_with_its_id() {
        // given a shipment at a hub
        StubEngines.SHIPMENTS.put("C-1", "{\"shipmentId\":\"C-1\",\"status\":\"AT_FACILITY\",\"eventsApplied\":2}");

        // when a planner holds it
        String commandId = Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"HOLD\",\"reason\":\"customs\"}")
                .post("/api/v1/shipments/C-1/commands")
                .then().statusCode(202).body("shipmentId", equalTo("C-1")).body("type", equalTo("HOLD"))
                .extract().path("commandId");

        // then the command is on the commands topic under the shipment's key, issued by the token's subject
        PlannerCommand published = CommandsTopic.await(commandId);
        assertThat(published.getShipmentId()).isEqualTo("C-1");
        assertThat(published.getPayload()).isInstanceOf(HoldCommand.class);
        assertThat(published.getIssuedBy()).isEqualTo("test-planner");
    }

    @Test
    void the_same_idempotency_key_gives_the_same_command_id() {
        StubEngines.SHIPMENTS.put("C-2", "{\"shipmentId\":\"C-2\",\"status\":\"IN_TRANSIT\"}");
        String body = "{\"type\":\"UPDATE_PROMISE\",\"promisedDeliveryAt\":\"2026-12-24T18:00:00Z\",\"idempotencyKey\":\"k-1\"}";
        String first = Api.asPlanner().contentType(ContentType.JSON).body(body).post("/api/v1/shipments/C-2/commands").then().statusCode(202).extract().path("commandId");
        String second = Api.asPlanner().contentType(ContentType.JSON).body(body).post("/api/v1/shipments/C-2/commands").then().statusCode(202).extract().path("commandId");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void an_invalid_command_is_400_with_the_fields() {
        StubEngines.SHIPMENTS.put("C-3", "{\"shipmentId\":\"C-3\",\"status\":\"AT_FACILITY\"}");
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"HOLD\"}").post("/api/v1/shipments/C-3/commands")
                .then().statusCode(400).body("violations[0].field", equalTo("reason"));
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"TELEPORT\"}").post("/api/v1/shipments/C-3/commands")
                .then().statusCode(400).body("violations[0].field", equalTo("type"));
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"UPDATE_PROMISE\",\"promisedDeliveryAt\":\"soon\"}")
                .post("/api/v1/shipments/C-3/commands").then().statusCode(400).body("violations[0].field", equalTo("promisedDeliveryAt"));
    }

    @Test
    void a_command_for_an_unknown_shipment_is_404_and_one_the_state_forbids_is_409() {
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"CANCEL\",\"reason\":\"x\"}").post("/api/v1/shipments/NOPE/commands")
                .then().statusCode(404);
        StubEngines.SHIPMENTS.put("C-4", "{\"shipmentId\":\"C-4\",\"status\":\"DELIVERED\"}");
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"CANCEL\",\"reason\":\"x\"}").post("/api/v1/shipments/C-4/commands")
                .then().statusCode(409).body("error", containsString("DELIVERED"));
        StubEngines.SHIPMENTS.put("C-5", "{\"shipmentId\":\"C-5\",\"status\":\"AT_FACILITY\"}");
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"RELEASE\"}").post("/api/v1/shipments/C-5/commands")
                .then().statusCode(409).body("error", containsString("not held"));
    }

    @Test
    void waiting_for_a_command_the_engine_has_not_processed_ends_in_503_not_a_hang() {
        StubEngines.SHIPMENTS.put("C-6", "{\"shipmentId\":\"C-6\",\"status\":\"AT_FACILITY\"}");
        StubEngines.HISTORIES.put("C-6", "{\"shipmentId\":\"C-6\",\"entries\":[{\"id\":\"other\"}]}");
        Api.asViewer().queryParam("afterCommand", "cmd-1").queryParam("waitSeconds", 1).get("/api/v1/shipments/C-6")
                .then().statusCode(503).header("Retry-After", notNullValue());

        StubEngines.HISTORIES.put("C-6", "{\"shipmentId\":\"C-6\",\"entries\":[{\"id\":\"cmd-1\"}]}");
        Api.asViewer().queryParam("afterCommand", "cmd-1").get("/api/v1/shipments/C-6").then().statusCode(200).body("status", equalTo("AT_FACILITY"));
    }

    @Test
    void a_known_shipment_is_returned_with_its_contract_fields() {
        // given an engine that knows S-1
        StubEngines.SHIPMENTS.put("S-1", """
                {"shipmentId":"S-1","status":"AT_FACILITY","lastFacilityId":"BER-HUB","lastEventAt":"2026-11-02T09:00:00Z","eventsApplied":2}""");

        // when / then
        Api.asViewer().get("/api/v1/shipments/S-1").then().statusCode(200)
                .body("shipmentId", equalTo("S-1"))
                .body("status", equalTo("AT_FACILITY"))
                .body("lastFacilityId", equalTo("BER-HUB"))
                .body("lastEventAt", equalTo("2026-11-02T09:00:00Z"))
                .body("eventsApplied", equalTo(2));
    }

    @Test
    void an_unknown_shipment_is_404() {
        Api.asViewer().get("/api/v1/shipments/NOPE").then().statusCode(404).body("error", equalTo("shipment NOPE is unknown"));
    }

    @Test
    void when_one_engine_cannot_answer_another_does() {
        // given the first engine is restoring
        StubEngines.firstDown = true;
        StubEngines.SHIPMENTS.put("S-2", "{\"shipmentId\":\"S-2\",\"status\":\"BOOKED\",\"eventsApplied\":1}");

        // then every request is still answered
        for (int i = 0; i < 4; i++) {
            Api.asViewer().get("/api/v1/shipments/S-2").then().statusCode(200).body("status", equalTo("BOOKED"));
        }
    }

    @Test
    void an_instance_that_takes_the_request_and_never_answers_costs_one_request_timeout_not_the_read() {
        // given the first engine instance is paused: it accepts connections and never answers
        StubEngines.firstHangs = true;
        StubEngines.SHIPMENTS.put("S-7", "{\"shipmentId\":\"S-7\",\"status\":\"BOOKED\",\"eventsApplied\":1}");

        // when reads go to both instances in turn, then each is answered by the other instance, within the deadline
        for (int i = 0; i < 2; i++) {
            long started = System.nanoTime();
            Api.asViewer().get("/api/v1/shipments/S-7").then().statusCode(200).body("status", equalTo("BOOKED"));
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(4));
        }
    }

    @Test
    void when_every_instance_hangs_the_read_ends_in_503_at_its_deadline_not_a_hang() {
        // given both engine instances accept requests and never answer
        StubEngines.allHang = true;

        // when a planner reads a shipment
        long started = System.nanoTime();
        Api.asViewer().get("/api/v1/shipments/S-8").then().statusCode(503).header("Retry-After", notNullValue());

        // then the answer came at the 4 s deadline, not after the attempts added up (the old bound was 3 x 2 s)
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofMillis(5_500));
    }

    @Test
    void when_no_engine_can_answer_the_api_says_503_with_retry_after() {
        StubEngines.allDown = true;
        Api.asViewer().get("/api/v1/shipments/S-3").then().statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error", containsString("unavailable"));
    }

    @Test
    void the_planner_api_reads_with_the_engines_service_token_and_a_stale_one_is_a_503_not_a_leak() {
        // given a shipment the engines hold (the stand-ins answer only with the service token)
        StubEngines.SHIPMENTS.put("T-1", "{\"shipmentId\":\"T-1\",\"status\":\"IN_TRANSIT\"}");
        Api.asViewer().get("/api/v1/shipments/T-1").then().statusCode(200).body("shipmentId", equalTo("T-1"));

        // when the engines' token is rotated and this planner-api still sends the old one
        StubEngines.acceptedToken = "rotated-token-the-planner-api-lacks-0123";

        // then a read is 503 (retry), never the engine's 401 passed on to the planner's browser
        Api.asViewer().get("/api/v1/shipments/T-1").then().statusCode(503).header("Retry-After", notNullValue());
    }

    @Test
    void return_to_sender_is_published_as_a_start_return_command_and_needs_a_reason() {
        // given a shipment whose delivery failed
        StubEngines.SHIPMENTS.put("R-1", "{\"shipmentId\":\"R-1\",\"status\":\"AT_FACILITY\"}");

        // when a planner sends it back without a reason, then that is 400
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"RETURN_TO_SENDER\"}").post("/api/v1/shipments/R-1/commands")
                .then().statusCode(400).body("violations[0].field", equalTo("reason"));

        // when with a reason, then a StartReturnCommand is published
        String commandId = Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"RETURN_TO_SENDER\",\"reason\":\"refused\"}")
                .post("/api/v1/shipments/R-1/commands").then().statusCode(202).body("type", equalTo("RETURN_TO_SENDER"))
                .extract().path("commandId");
        assertThat(CommandsTopic.await(commandId).getPayload()).isEqualTo(new StartReturnCommand("refused"));

        // and a shipment already on its way back cannot be returned again
        StubEngines.SHIPMENTS.put("R-2", "{\"shipmentId\":\"R-2\",\"status\":\"RETURNING\"}");
        Api.asPlanner().contentType(ContentType.JSON).body("{\"type\":\"RETURN_TO_SENDER\",\"reason\":\"refused\"}")
                .post("/api/v1/shipments/R-2/commands").then().statusCode(409).body("error", containsString("already returning"));
    }

    @Test
    void the_engines_new_shipment_fields_are_passed_on_untouched() throws Exception {
        // given an engine answer with a route plan, ETA, SLA and route status and the shipment's exceptions
        String engineJson = """
                {"shipmentId":"P-1","status":"IN_TRANSIT","routeStatus":"PLANNED","slaStatus":"AT_RISK","eta":"2026-11-30T10:00:00Z",
                 "routePlan":{"planId":"P-1#2","revision":2,"legs":[{"laneId":"L-1","fromFacilityId":"BER-HUB","toFacilityId":"MUC-HUB",
                   "plannedDeparture":"2026-11-29T20:00:00Z"}]},
                 "exceptions":[{"exceptionId":"P-1:MISSED_SCAN:1","status":"OPEN","occurrences":2}],
                 "somethingNew":{"nested":[1,2,3]}}""";
        StubEngines.SHIPMENTS.put("P-1", engineJson);

        // when it is read through the planner-api, then every field arrives as the engine gave it
        String body = Api.asViewer().get("/api/v1/shipments/P-1").then().statusCode(200).extract().asString();
        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree(engineJson));
    }

    @Test
    void an_answer_from_a_standby_replica_is_marked_stale_with_its_lag() {
        // given the engine answers S-9 from a standby 42 records behind
        StubEngines.SHIPMENTS.put("S-9", "{\"shipmentId\":\"S-9\",\"status\":\"BOOKED\"}");
        StubEngines.HISTORIES.put("S-9", "{\"shipmentId\":\"S-9\",\"entries\":[]}");
        StubEngines.STALE.put("S-9", 42L);

        // then the state and the history say so, as headers and as fields
        Api.asViewer().get("/api/v1/shipments/S-9").then().statusCode(200)
                .header("X-Waybill-Stale", "true").header("X-Waybill-Lag-Records", "42")
                .body("stale", equalTo(true)).body("lagRecords", equalTo(42)).body("status", equalTo("BOOKED"));
        Api.asViewer().get("/api/v1/shipments/S-9/history").then().statusCode(200)
                .header("X-Waybill-Stale", "true").body("stale", equalTo(true));

        // a standby that does not know its lag (-1) gives no number
        StubEngines.STALE.put("S-9", -1L);
        Api.asViewer().get("/api/v1/shipments/S-9").then().statusCode(200)
                .header("X-Waybill-Stale", "true").header("X-Waybill-Lag-Records", nullValue())
                .body("stale", equalTo(true)).body("lagRecords", nullValue());

        // and a fresh answer has neither
        StubEngines.STALE.clear();
        Api.asViewer().get("/api/v1/shipments/S-9").then().statusCode(200)
                .header("X-Waybill-Stale", nullValue()).body("stale", nullValue());
    }

    @Test
    void list_filters_are_checked_and_passed_to_the_engines() {
        // when a planner lists at-risk shipments of a workflow at a facility
        StubEngines.shipmentList = "{\"items\":[{\"shipmentId\":\"A-1\"}],\"nextCursor\":\"A-1\",\"unavailableInstances\":[]}";
        Api.asViewer().queryParam("status", "IN_TRANSIT").queryParam("facility", "BER HUB").queryParam("slaStatus", "AT_RISK")
                .queryParam("workflow", "express").queryParam("limit", 20).get("/api/v1/shipments")
                .then().statusCode(200).body("items[0].shipmentId", equalTo("A-1")).body("nextCursor", equalTo("A-1"));

        // then the engine was asked with every filter
        assertThat(StubEngines.lastRequest("/internal/shipments?")).isEqualTo(
                "/internal/shipments?limit=20&status=IN_TRANSIT&facility=BER%20HUB&slaStatus=AT_RISK&workflow=express");

        // and unknown values are refused before any engine is asked
        Api.asViewer().queryParam("slaStatus", "SOMETIMES").queryParam("status", "LOST").get("/api/v1/shipments")
                .then().statusCode(400).body("violations.field", hasItems("status", "slaStatus"));
    }

    @Test
    void health_metrics_and_openapi_are_served() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/shipments/{shipmentId}"))
                .body(containsString("bearerFormat: JWT")).body(containsString("/api/v1/stream"));
    }
}
