package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@QuarkusTestResource(StubEngines.class)
class ShipmentResourceTest {

    @AfterEach
    void reset() {
        StubEngines.firstDown = false;
        StubEngines.allDown = false;
        StubEngines.SHIPMENTS.clear();
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
