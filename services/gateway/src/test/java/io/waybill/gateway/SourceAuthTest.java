package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.auth.Sources;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Who may post, and for which facilities (sources in application.properties, %test profile). */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class SourceAuthTest {

    private static final String ISSUER = "https://waybill.test/issuer";

    private static String token(String source, Set<String> groups) {
        return Jwt.upn(source).groups(groups).issuer(ISSUER).expiresIn(Duration.ofMinutes(5)).sign("test-jwt-private.pem");
    }

    @Test
    void a_request_without_credentials_is_401_and_says_how_to_authenticate() {
        given().contentType(ContentType.JSON).body(EventResourceTest.arrival(UUID.randomUUID().toString(), "A-1", "BER-HUB"))
                .post("/api/v1/events")
                .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .body("error", containsString("X-Api-Key"));
    }

    @Test
    void an_unknown_api_key_is_401() {
        given().header("X-Api-Key", "guessed").contentType(ContentType.JSON)
                .body(EventResourceTest.arrival(UUID.randomUUID().toString(), "A-1", "BER-HUB")).post("/api/v1/events")
                .then().statusCode(401).body("error", containsString("matches no registered source"));
    }

    @Test
    void events_for_a_facility_the_source_is_not_registered_for_are_403_per_item_and_nothing_is_published() {
        // given a batch whose second event reports an arrival at HAM-HUB, which wms-test is not registered for
        String shipmentId = "AUTH-" + UUID.randomUUID();
        String body = "{\"events\":[" + EventResourceTest.arrival(UUID.randomUUID().toString(), shipmentId, "BER-HUB") + ","
                + EventResourceTest.arrival(UUID.randomUUID().toString(), shipmentId, "HAM-HUB") + "]}";

        // when it is posted, then it is refused, naming the item and the facility
        EventResourceTest.asWmsTest().body(body).post("/api/v1/events")
                .then().statusCode(403)
                .body("violations.size()", equalTo(1))
                .body("violations[0].field", equalTo("events[1].data.facilityId"))
                .body("violations[0].message", equalTo("source 'wms-test' is not registered for facility 'HAM-HUB'"));
        assertThat(TopicReader.eventsOf(shipmentId, 0)).isEmpty();
    }

    @Test
    void an_event_that_names_no_facility_is_403_unless_the_source_is_trusted_with_its_type() {
        // given a delivery and a cancellation, which name no facility
        String shipmentId = "AUTH-" + UUID.randomUUID();
        String delivered = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"shipmentId\":\"" + shipmentId + "\",\"type\":\"DELIVERED\",\"occurredAt\":\""
                + java.time.Instant.now() + "\",\"source\":\"x\",\"data\":{}}";
        String cancelled = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"shipmentId\":\"" + shipmentId + "\",\"type\":\"CANCELLED\",\"occurredAt\":\""
                + java.time.Instant.now() + "\",\"source\":\"x\",\"data\":{\"reason\":\"nobody asked\"}}";

        // when a hub's scanners (wms-test, registered for two facilities) post them, then both are refused, naming the type
        EventResourceTest.asWmsTest().body(delivered).post("/api/v1/events")
                .then().statusCode(403)
                .body("violations[0].field", equalTo("type"))
                .body("violations[0].message", containsString("may not report DELIVERED, which names no facility"));
        EventResourceTest.asWmsTest().body(cancelled).post("/api/v1/events").then().statusCode(403);

        // and a courier app trusted with deliveries may deliver, but not cancel
        given().header("X-Api-Key", "test-key-courier").contentType(ContentType.JSON).body(delivered).post("/api/v1/events")
                .then().statusCode(202);
        given().header("X-Api-Key", "test-key-courier").contentType(ContentType.JSON).body(cancelled).post("/api/v1/events")
                .then().statusCode(403).body("violations[0].message", containsString("may not report CANCELLED"));
        assertThat(TopicReader.eventsOf(shipmentId, 1)).extracting(e -> e.getPayload().getClass().getSimpleName()).containsExactly("Delivered");
    }

    @Test
    void the_authenticated_source_replaces_the_source_the_event_names() {
        // given an event that claims to come from somebody else
        String shipmentId = "AUTH-" + UUID.randomUUID();
        String body = EventResourceTest.arrival(UUID.randomUUID().toString(), shipmentId, "BER-HUB").replace("\"source\":\"wms-test\"", "\"source\":\"scanner-7\"");

        // when wms-test posts it
        EventResourceTest.asWmsTest().body(body).post("/api/v1/events").then().statusCode(202);

        // then it is published as wms-test's, with the claimed source kept as an attribute
        ShipmentEvent published = TopicReader.eventsOf(shipmentId, 1).get(0);
        assertThat(published.getSource()).isEqualTo("wms-test");
        assertThat(published.getAttributes()).containsEntry(EventIntake.REPORTED_SOURCE_ATTRIBUTE, "scanner-7");
    }

    @Test
    void a_bearer_token_with_the_warehouse_role_of_a_registered_source_is_accepted() {
        String shipmentId = "JWT-" + UUID.randomUUID();
        given().auth().oauth2(token("wms-test", Set.of("warehouse"))).contentType(ContentType.JSON)
                .body(EventResourceTest.arrival(UUID.randomUUID().toString(), shipmentId, "MUC-DEP")).post("/api/v1/events")
                .then().statusCode(202);
        assertThat(TopicReader.eventsOf(shipmentId, 1)).extracting(ShipmentEvent::getSource).containsExactly("wms-test");
    }

    @Test
    void a_token_without_the_warehouse_role_is_403_and_a_forged_one_is_401() {
        String event = EventResourceTest.arrival(UUID.randomUUID().toString(), "JWT-1", "BER-HUB");
        given().auth().oauth2(token("wms-test", Set.of("planner"))).contentType(ContentType.JSON).body(event).post("/api/v1/events")
                .then().statusCode(403).body("error", containsString("lacks the role 'warehouse'"));
        given().auth().oauth2(token("nobody", Set.of("warehouse"))).contentType(ContentType.JSON).body(event).post("/api/v1/events")
                .then().statusCode(403).body("error", containsString("'nobody' is not a registered source"));
        String forged = token("wms-test", Set.of("warehouse"));
        forged = forged.substring(0, forged.length() - 4) + "AAAA";
        given().auth().oauth2(forged).contentType(ContentType.JSON).body(event).post("/api/v1/events")
                .then().statusCode(401);
    }

    @Test
    void the_configured_hash_is_the_sha256_of_the_key() {
        assertThat(Sources.hashOf("test-key-wms")).isEqualTo("d1018bf11a7c27ab8eb0f10a536c61c9fffa657ea180c353966de6050f385bd5");
    }
}
