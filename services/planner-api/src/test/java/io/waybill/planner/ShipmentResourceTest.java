package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.PlannerCommand;
import io.waybill.testkit.WaybillTestResource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The planner-api with stand-in engines (their own behaviour is tested in the engine module and end
 * to end in system-tests) and a real Kafka cluster and registry for the commands it publishes.
 */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class ShipmentResourceTest {

    @AfterEach
    void reset() {
        StubEngines.firstDown = false;
        StubEngines.allDown = false;
        StubEngines.SHIPMENTS.clear();
        StubEngines.HISTORIES.clear();
    }

    @Test
    void a_valid_command_is_published_keyed_by_shipment_and_answered_with_its_id() {
        // given a shipment at a hub
        StubEngines.SHIPMENTS.put("C-1", "{\"shipmentId\":\"C-1\",\"status\":\"AT_FACILITY\",\"eventsApplied\":2}");

        // when a planner holds it
        String commandId = given().contentType(ContentType.JSON).body("{\"type\":\"HOLD\",\"reason\":\"customs\"}")
                .post("/api/v1/shipments/C-1/commands")
                .then().statusCode(202).body("shipmentId", equalTo("C-1")).body("type", equalTo("HOLD"))
                .extract().path("commandId");

        // then the command is on the commands topic under the shipment's key
        PlannerCommand published = CommandsTopic.await(commandId);
        assertThat(published.getShipmentId()).isEqualTo("C-1");
        assertThat(published.getPayload()).isInstanceOf(HoldCommand.class);
    }

    @Test
    void the_same_idempotency_key_gives_the_same_command_id() {
        StubEngines.SHIPMENTS.put("C-2", "{\"shipmentId\":\"C-2\",\"status\":\"IN_TRANSIT\"}");
        String body = "{\"type\":\"UPDATE_PROMISE\",\"promisedDeliveryAt\":\"2026-12-24T18:00:00Z\",\"idempotencyKey\":\"k-1\"}";
        String first = given().contentType(ContentType.JSON).body(body).post("/api/v1/shipments/C-2/commands").then().statusCode(202).extract().path("commandId");
        String second = given().contentType(ContentType.JSON).body(body).post("/api/v1/shipments/C-2/commands").then().statusCode(202).extract().path("commandId");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void an_invalid_command_is_400_with_the_fields() {
        StubEngines.SHIPMENTS.put("C-3", "{\"shipmentId\":\"C-3\",\"status\":\"AT_FACILITY\"}");
        given().contentType(ContentType.JSON).body("{\"type\":\"HOLD\"}").post("/api/v1/shipments/C-3/commands")
                .then().statusCode(400).body("violations[0].field", equalTo("reason"));
        given().contentType(ContentType.JSON).body("{\"type\":\"TELEPORT\"}").post("/api/v1/shipments/C-3/commands")
                .then().statusCode(400).body("violations[0].field", equalTo("type"));
        given().contentType(ContentType.JSON).body("{\"type\":\"UPDATE_PROMISE\",\"promisedDeliveryAt\":\"soon\"}")
                .post("/api/v1/shipments/C-3/commands").then().statusCode(400).body("violations[0].field", equalTo("promisedDeliveryAt"));
    }

    @Test
    void a_command_for_an_unknown_shipment_is_404_and_one_the_state_forbids_is_409() {
        given().contentType(ContentType.JSON).body("{\"type\":\"CANCEL\",\"reason\":\"x\"}").post("/api/v1/shipments/NOPE/commands")
                .then().statusCode(404);
        StubEngines.SHIPMENTS.put("C-4", "{\"shipmentId\":\"C-4\",\"status\":\"DELIVERED\"}");
        given().contentType(ContentType.JSON).body("{\"type\":\"CANCEL\",\"reason\":\"x\"}").post("/api/v1/shipments/C-4/commands")
                .then().statusCode(409).body("error", containsString("DELIVERED"));
        StubEngines.SHIPMENTS.put("C-5", "{\"shipmentId\":\"C-5\",\"status\":\"AT_FACILITY\"}");
        given().contentType(ContentType.JSON).body("{\"type\":\"RELEASE\"}").post("/api/v1/shipments/C-5/commands")
                .then().statusCode(409).body("error", containsString("not held"));
    }

    @Test
    void waiting_for_a_command_the_engine_has_not_processed_ends_in_503_not_a_hang() {
        StubEngines.SHIPMENTS.put("C-6", "{\"shipmentId\":\"C-6\",\"status\":\"AT_FACILITY\"}");
        StubEngines.HISTORIES.put("C-6", "{\"shipmentId\":\"C-6\",\"entries\":[{\"id\":\"other\"}]}");
        given().queryParam("afterCommand", "cmd-1").queryParam("waitSeconds", 1).get("/api/v1/shipments/C-6")
                .then().statusCode(503).header("Retry-After", notNullValue());

        StubEngines.HISTORIES.put("C-6", "{\"shipmentId\":\"C-6\",\"entries\":[{\"id\":\"cmd-1\"}]}");
        given().queryParam("afterCommand", "cmd-1").get("/api/v1/shipments/C-6").then().statusCode(200).body("status", equalTo("AT_FACILITY"));
    }

    @Test
    void a_known_shipment_is_returned_with_its_contract_fields() {
        // given an engine that knows S-1
        StubEngines.SHIPMENTS.put("S-1", """
                {"shipmentId":"S-1","status":"AT_FACILITY","lastFacilityId":"BER-HUB","lastEventAt":"2026-11-02T09:00:00Z","eventsApplied":2}""");

        // when / then
        given().get("/api/v1/shipments/S-1").then().statusCode(200)
                .body("shipmentId", equalTo("S-1"))
                .body("status", equalTo("AT_FACILITY"))
                .body("lastFacilityId", equalTo("BER-HUB"))
                .body("lastEventAt", equalTo("2026-11-02T09:00:00Z"))
                .body("eventsApplied", equalTo(2));
    }

    @Test
    void an_unknown_shipment_is_404() {
        given().get("/api/v1/shipments/NOPE").then().statusCode(404).body("error", equalTo("shipment NOPE is unknown"));
    }

    @Test
    void when_one_engine_cannot_answer_another_does() {
        // given the first engine is restoring
        StubEngines.firstDown = true;
        StubEngines.SHIPMENTS.put("S-2", "{\"shipmentId\":\"S-2\",\"status\":\"BOOKED\",\"eventsApplied\":1}");

        // then every request is still answered
        for (int i = 0; i < 4; i++) {
            given().get("/api/v1/shipments/S-2").then().statusCode(200).body("status", equalTo("BOOKED"));
        }
    }

    @Test
    void when_no_engine_can_answer_the_api_says_503_with_retry_after() {
        StubEngines.allDown = true;
        given().get("/api/v1/shipments/S-3").then().statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error", containsString("unavailable"));
    }

    @Test
    void health_metrics_and_openapi_are_served() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/shipments/{shipmentId}"));
    }
}
