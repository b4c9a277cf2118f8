package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** Facilities and lanes: read from the compacted topics of a real cluster, changed by admins, with load from (stub) engines. */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class NetworkResourceTest {

    /** A region of this run, so the filters see only this test's facilities. */
    private final String region = "NET-" + UUID.randomUUID().toString().substring(0, 6);

    @BeforeEach
    void given_a_hub_two_depots_and_two_lanes_of_this_region() {
        produceFacility(region + "-HUB", FacilityType.HUB, FacilityStatus.OPEN);
        produceFacility(region + "-DEP-1", FacilityType.DEPOT, FacilityStatus.OPEN);
        produceFacility(region + "-DEP-2", FacilityType.DEPOT, FacilityStatus.CLOSED);
        produceLane(region + "-L1", region + "-HUB", region + "-DEP-1");
        produceLane(region + "-L2", region + "-HUB", region + "-DEP-2");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Api.asViewer().get("/api/v1/lanes/" + region + "-L2").statusCode() == 200
                        && Api.asViewer().get("/api/v1/facilities/" + region + "-DEP-2").statusCode() == 200);
    }

    @AfterEach
    void reset() {
        StubEngines.reset();
    }

    @Test
    void facilities_are_listed_by_region_type_and_status_with_the_views_freshness() {
        Api.asViewer().queryParam("region", region).get("/api/v1/facilities").then().statusCode(200)
                .body("items.facilityId", contains(region + "-DEP-1", region + "-DEP-2", region + "-HUB"))
                .body("count", equalTo(3))
                .body("asOf", notNullValue());
        Api.asViewer().queryParam("region", region).queryParam("type", "DEPOT").queryParam("status", "OPEN").get("/api/v1/facilities")
                .then().statusCode(200).body("items.facilityId", contains(region + "-DEP-1"))
                .body("items[0].timeZone", equalTo("Europe/Berlin")).body("items[0].handlingMinutes", equalTo(30));

        // unknown enum values are 400, naming the parameter
        Api.asViewer().queryParam("type", "SPACEPORT").queryParam("status", "ON_FIRE").get("/api/v1/facilities")
                .then().statusCode(400).body("violations.field", hasItems("type", "status"));
    }

    @Test
    void a_facility_comes_with_its_load_from_the_engines() {
        // given the engines know the hub's load
        String hub = region + "-HUB";
        StubEngines.LOADS.put(hub, "{\"facilityId\":\"" + hub + "\",\"onHand\":12,\"expectedInbound\":30,\"openExceptions\":2,\"unavailableInstances\":[]}");

        // when / then
        Api.asViewer().get("/api/v1/facilities/" + hub).then().statusCode(200)
                .body("facilityId", equalTo(hub)).body("type", equalTo("HUB")).body("status", equalTo("OPEN"))
                .body("load.onHand", equalTo(12)).body("load.expectedInbound", equalTo(30)).body("load.openExceptions", equalTo(2))
                .body("loadUnavailable", equalTo(false)).body("asOf", notNullValue());
        assertThat(StubEngines.lastRequest("/internal/facilities/")).isEqualTo("/internal/facilities/" + hub + "/load?hours=6");
    }

    @Test
    void when_the_engines_cannot_say_the_load_the_facility_is_still_answered() {
        // given the engines' load query fails
        StubEngines.loadDown = true;

        // then the facility is answered without its load
        Api.asViewer().get("/api/v1/facilities/" + region + "-HUB").then().statusCode(200)
                .body("facilityId", equalTo(region + "-HUB"))
                .body("load", nullValue()).body("loadUnavailable", equalTo(true));
    }

    @Test
    void an_unknown_facility_or_lane_is_404() {
        Api.asViewer().get("/api/v1/facilities/NOWHERE").then().statusCode(404).body("error", containsString("NOWHERE"));
        Api.asViewer().get("/api/v1/lanes/NOWHERE").then().statusCode(404);
        Api.asAdmin().contentType(ContentType.JSON).body("{\"status\":\"CLOSED\",\"reason\":\"x\"}").put("/api/v1/facilities/NOWHERE/status")
                .then().statusCode(404);
        Api.asAdmin().contentType(ContentType.JSON).body("{\"disrupted\":true,\"reason\":\"x\"}").put("/api/v1/lanes/NOWHERE")
                .then().statusCode(404);
    }

    @Test
    void closing_a_facility_publishes_it_with_the_new_status_and_the_view_follows() {
        // given
        String depot = region + "-DEP-1";
        Instant before = Instant.now();

        // when an admin closes the depot
        Api.asAdmin().contentType(ContentType.JSON).body("{\"status\":\"CLOSED\",\"reason\":\"flooded\"}")
                .put("/api/v1/facilities/" + depot + "/status")
                .then().statusCode(202).body("facilityId", equalTo(depot)).body("status", equalTo("CLOSED"))
                .body("updatedBy", equalTo("test-admin"));

        // then the facility is on the topic, keyed by its id, closed and otherwise unchanged
        var published = TestTopics.await(WaybillTopic.FACILITIES, Facility.class,
                f -> f.getFacilityId().equals(depot) && f.getStatus() == FacilityStatus.CLOSED);
        assertThat(published.key()).isEqualTo(depot);
        assertThat(published.value().getUpdatedAt()).isAfterOrEqualTo(before.minusMillis(1));
        assertThat(published.value().getType()).isEqualTo(FacilityType.DEPOT);
        assertThat(published.value().getRegion()).isEqualTo(region);

        // and the API's view follows
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Api.asViewer().get("/api/v1/facilities/" + depot).then().body("status", equalTo("CLOSED")));
    }

    @Test
    void an_invalid_status_change_is_400_with_every_field() {
        Api.asAdmin().contentType(ContentType.JSON).body("{}").put("/api/v1/facilities/" + region + "-HUB/status")
                .then().statusCode(400).body("violations.field", hasItems("status", "reason"));
        Api.asAdmin().contentType(ContentType.JSON).body("{\"status\":\"UNKNOWN\",\"reason\":\"x\"}").put("/api/v1/facilities/" + region + "-HUB/status")
                .then().statusCode(400).body("violations[0].field", equalTo("status"));
        // reopening needs no reason
        Api.asAdmin().contentType(ContentType.JSON).body("{\"status\":\"OPEN\"}").put("/api/v1/facilities/" + region + "-DEP-2/status")
                .then().statusCode(202);
    }

    @Test
    void lanes_are_listed_by_origin_and_destination() {
        Api.asViewer().queryParam("from", region + "-HUB").get("/api/v1/lanes").then().statusCode(200)
                .body("items.laneId", contains(region + "-L1", region + "-L2")).body("asOf", notNullValue());
        Api.asViewer().queryParam("from", region + "-HUB").queryParam("to", region + "-DEP-2").get("/api/v1/lanes").then().statusCode(200)
                .body("items.laneId", contains(region + "-L2"));
        Api.asViewer().get("/api/v1/lanes/" + region + "-L1").then().statusCode(200)
                .body("carrier", equalTo("test-carrier")).body("mode", equalTo("ROAD")).body("disrupted", equalTo(false))
                .body("departureTimes", contains("06:00", "18:00"));
    }

    @Test
    void disrupting_a_lane_publishes_it_and_needs_a_reason() {
        String lane = region + "-L1";

        // a disruption without a reason, or without saying whether, is 400
        Api.asAdmin().contentType(ContentType.JSON).body("{\"disrupted\":true}").put("/api/v1/lanes/" + lane)
                .then().statusCode(400).body("violations[0].field", equalTo("reason"));
        Api.asAdmin().contentType(ContentType.JSON).body("{\"reason\":\"x\"}").put("/api/v1/lanes/" + lane)
                .then().statusCode(400).body("violations[0].field", equalTo("disrupted"));

        // when an admin disrupts it, then the lane is published disrupted
        Api.asAdmin().contentType(ContentType.JSON).body("{\"disrupted\":true,\"reason\":\"bridge closed\"}").put("/api/v1/lanes/" + lane)
                .then().statusCode(202).body("laneId", equalTo(lane)).body("disrupted", equalTo(true));
        var published = TestTopics.await(WaybillTopic.LANES, Lane.class, l -> l.getLaneId().equals(lane) && l.getDisrupted());
        assertThat(published.key()).isEqualTo(lane);
        assertThat(published.value().getTransitMinutes()).isEqualTo(240);
    }

    private void produceFacility(String id, FacilityType type, FacilityStatus status) {
        TestTopics.produce(WaybillTopic.FACILITIES, id, Facility.newBuilder().setFacilityId(id).setName(id).setType(type).setRegion(region)
                .setTimeZone("Europe/Berlin").setLatitude(52.5).setLongitude(13.4).setStatus(status).setHourlyCapacity(800)
                .setUpdatedAt(Instant.now()).build());
    }

    private void produceLane(String id, String from, String to) {
        TestTopics.produce(WaybillTopic.LANES, id, Lane.newBuilder().setLaneId(id).setFromFacilityId(from).setToFacilityId(to)
                .setCarrier("test-carrier").setMode(TransportMode.ROAD).setTransitMinutes(240).setDepartureTimes(java.util.List.of("06:00", "18:00"))
                .setDailyCapacity(300).setCost(80.0).setUpdatedAt(Instant.now()).build());
    }
}
