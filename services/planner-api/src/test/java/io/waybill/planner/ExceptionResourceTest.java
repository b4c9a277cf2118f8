package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

/** Exception lists and counts from (stub) engines; planners' actions on exceptions as commands on a real cluster. */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class ExceptionResourceTest {

    @AfterEach
    void reset() {
        StubEngines.reset();
    }

    /** A shipment whose exceptions have these ids and statuses. */
    private static void shipmentWithExceptions(String shipmentId, String... idsAndStatuses) {
        StringBuilder exceptions = new StringBuilder();
        for (int i = 0; i < idsAndStatuses.length; i += 2) {
            if (i > 0) exceptions.append(',');
            exceptions.append("{\"exceptionId\":\"").append(idsAndStatuses[i]).append("\",\"status\":\"").append(idsAndStatuses[i + 1]).append("\"}");
        }
        StubEngines.SHIPMENTS.put(shipmentId, "{\"shipmentId\":\"" + shipmentId + "\",\"status\":\"IN_TRANSIT\",\"exceptions\":[" + exceptions + "]}");
    }

    @Test
    void the_list_asks_the_engines_for_open_exceptions_by_default_and_passes_the_filters() {
        // given the engines have a page of exceptions
        StubEngines.exceptionList = "{\"items\":[{\"exceptionId\":\"E-1:MISSED_SCAN:1\",\"status\":\"OPEN\"}],\"nextCursor\":\"c2\",\"unavailableInstances\":[]}";

        // when a viewer lists without filters, then the engines are asked for OPEN ones and their page is returned
        Api.asViewer().get("/api/v1/exceptions").then().statusCode(200)
                .body("items[0].exceptionId", equalTo("E-1:MISSED_SCAN:1")).body("nextCursor", equalTo("c2"));
        assertThat(StubEngines.lastRequest("/internal/exceptions?")).isEqualTo("/internal/exceptions?limit=50&status=OPEN");

        // when with every filter, then every filter is passed on
        Api.asViewer().queryParam("status", "ACKNOWLEDGED").queryParam("facility", "BER-HUB").queryParam("type", "DWELL_EXCEEDED")
                .queryParam("severity", "HIGH").queryParam("olderThan", "PT2H").queryParam("cursor", "c2").queryParam("limit", 10)
                .get("/api/v1/exceptions").then().statusCode(200);
        assertThat(StubEngines.lastRequest("/internal/exceptions?")).isEqualTo(
                "/internal/exceptions?limit=10&status=ACKNOWLEDGED&facility=BER-HUB&type=DWELL_EXCEEDED&severity=HIGH&olderThan=PT2H&cursor=c2");
    }

    @Test
    void unknown_filter_values_and_a_malformed_duration_are_400() {
        Api.asViewer().queryParam("status", "FORGOTTEN").queryParam("type", "ALIENS").queryParam("severity", "MEH")
                .queryParam("olderThan", "two hours").queryParam("limit", 0).get("/api/v1/exceptions")
                .then().statusCode(400).body("violations.field", hasItems("status", "type", "severity", "olderThan", "limit"));
        assertThat(StubEngines.lastRequest("/internal/exceptions")).isNull();
    }

    @Test
    void counts_are_the_engines_counts() {
        StubEngines.exceptionCounts = "{\"byFacility\":{\"BER-HUB\":3},\"byType\":{\"MISSED_SCAN\":2},\"bySeverity\":{\"HIGH\":1},\"unavailableInstances\":[]}";
        Api.asViewer().get("/api/v1/exceptions/counts").then().statusCode(200)
                .body("byFacility.BER-HUB", equalTo(3)).body("byType.MISSED_SCAN", equalTo(2)).body("bySeverity.HIGH", equalTo(1));
    }

    @Test
    void acknowledging_an_open_exception_publishes_a_command_on_its_shipment_issued_by_the_caller() {
        // given an open missed-scan exception
        shipmentWithExceptions("X-1", "X-1:MISSED_SCAN:1", "OPEN", "X-1:DAMAGED:1", "OPEN");

        // when a planner acknowledges it
        String commandId = Api.as("planner").contentType(ContentType.JSON).body("{\"note\":\"calling the hub\"}")
                .post("/api/v1/exceptions/X-1:MISSED_SCAN:1/acknowledge")
                .then().statusCode(202).body("exceptionId", equalTo("X-1:MISSED_SCAN:1")).body("shipmentId", equalTo("X-1"))
                .body("type", equalTo("ACKNOWLEDGE")).body("commandId", notNullValue()).extract().path("commandId");

        // then the command is on the commands topic, keyed by the shipment, issued by the token's subject
        PlannerCommand command = CommandsTopic.await(commandId);
        assertThat(command.getIssuedBy()).isEqualTo("test-planner");
        assertThat(command.getPayload()).isEqualTo(new AcknowledgeExceptionCommand("X-1:MISSED_SCAN:1", "calling the hub"));

        // and the note is optional: an acknowledgement may come without a body
        Api.asPlanner().contentType(ContentType.JSON).post("/api/v1/exceptions/X-1:DAMAGED:1/acknowledge").then().statusCode(202);
    }

    @Test
    void resolving_needs_a_note_and_snoozing_a_time_in_the_future() {
        // given an acknowledged exception
        shipmentWithExceptions("X-2", "X-2:DWELL_EXCEEDED:3", "ACKNOWLEDGED");

        // a resolve without a note, a snooze without until or into the past: 400 naming the field
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/resolve")
                .then().statusCode(400).body("violations[0].field", equalTo("note"));
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/snooze")
                .then().statusCode(400).body("violations[0].field", equalTo("until"));
        Api.asPlanner().contentType(ContentType.JSON).body("{\"until\":\"2020-01-01T00:00:00Z\"}").post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/snooze")
                .then().statusCode(400).body("violations[0].message", containsString("future"));

        // a snooze and a resolve that are right are published
        Instant until = Instant.now().plus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        String snooze = Api.asPlanner().contentType(ContentType.JSON).body("{\"until\":\"" + until + "\",\"note\":\"rescan at 6\"}")
                .post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/snooze").then().statusCode(202).body("type", equalTo("SNOOZE"))
                .extract().path("commandId");
        assertThat(CommandsTopic.await(snooze).getPayload()).isEqualTo(new SnoozeExceptionCommand("X-2:DWELL_EXCEEDED:3", until, "rescan at 6"));
        String resolve = Api.asAdmin().contentType(ContentType.JSON).body("{\"note\":\"found\",\"idempotencyKey\":\"r-1\"}")
                .post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/resolve").then().statusCode(202).extract().path("commandId");
        PlannerCommand resolved = CommandsTopic.await(resolve);
        assertThat(resolved.getPayload()).isEqualTo(new ResolveExceptionCommand("X-2:DWELL_EXCEEDED:3", "found"));
        assertThat(resolved.getIssuedBy()).isEqualTo("test-admin");

        // the same idempotency key gives the same command id
        Api.asAdmin().contentType(ContentType.JSON).body("{\"note\":\"found\",\"idempotencyKey\":\"r-1\"}")
                .post("/api/v1/exceptions/X-2:DWELL_EXCEEDED:3/resolve").then().statusCode(202).body("commandId", equalTo(resolve));
    }

    @Test
    void a_malformed_id_is_400_and_an_unknown_shipment_or_exception_404() {
        // malformed: no type, an unknown type, no sequence number
        for (String id : new String[]{"X-3", "X-3:NOT_A_TYPE:1", "X-3:MISSED_SCAN:x"}) {
            Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/" + id + "/acknowledge")
                    .then().statusCode(400).body("violations[0].field", equalTo("exceptionId"));
        }
        // unknown shipment
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/NOPE:MISSED_SCAN:1/acknowledge")
                .then().statusCode(404).body("error", containsString("shipment NOPE"));
        // known shipment, unknown exception
        shipmentWithExceptions("X-3", "X-3:MISSED_SCAN:1", "OPEN");
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/X-3:MISSED_SCAN:2/acknowledge")
                .then().statusCode(404).body("error", containsString("exception X-3:MISSED_SCAN:2"));
    }

    @Test
    void a_resolved_exception_cannot_be_acted_on_and_an_acknowledged_one_not_acknowledged_again() {
        // given
        shipmentWithExceptions("X-4", "X-4:DAMAGED:1", "RESOLVED", "X-4:MISSED_SCAN:1", "AUTO_RESOLVED", "X-4:SLA_AT_RISK:1", "ACKNOWLEDGED");

        // then
        Api.asPlanner().contentType(ContentType.JSON).body("{\"note\":\"again\"}").post("/api/v1/exceptions/X-4:DAMAGED:1/resolve")
                .then().statusCode(409).body("error", containsString("already RESOLVED"));
        Api.asPlanner().contentType(ContentType.JSON).body("{\"until\":\"" + Instant.now().plus(Duration.ofHours(1)) + "\"}")
                .post("/api/v1/exceptions/X-4:MISSED_SCAN:1/snooze").then().statusCode(409).body("error", containsString("AUTO_RESOLVED"));
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/X-4:SLA_AT_RISK:1/acknowledge")
                .then().statusCode(409).body("error", containsString("already acknowledged"));
    }

    @Test
    void when_no_engine_can_answer_an_action_is_503_with_retry_after() {
        StubEngines.allDown = true;
        Api.asPlanner().contentType(ContentType.JSON).body("{}").post("/api/v1/exceptions/X-5:MISSED_SCAN:1/acknowledge")
                .then().statusCode(503).header("Retry-After", notNullValue());
        Api.asViewer().get("/api/v1/exceptions").then().statusCode(503).header("Retry-After", notNullValue());
    }
}
