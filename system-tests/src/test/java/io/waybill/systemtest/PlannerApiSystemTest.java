package io.waybill.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.DevTokens;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.routing.PublishNetwork;
import io.waybill.topology.workflow.PublishWorkflows;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The planner-api against the real system (three brokers, the registry, two engines, the gateway,
 * each its own process) with the seed network and the built-in workflows published: every
 * endpoint, every error status and every role; read-your-writes for shipment and exception
 * commands; and degradation: with one engine killed (SIGKILL), queries about the shipments it
 * owned are answered by the other (from its standby replica, flagged stale, until the group
 * moves the partitions), commands are still accepted and applied, nothing hangs, and after the
 * restart everything converges. The planner-api's own tests cover roles against stand-in engines;
 * this covers the real thing end to end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlannerApiSystemTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(PlannerApiSystemTest.class);

    /** Seed depots the shipments travel between. */
    private static final List<String> DEPOTS = List.of("DE-DEP-BER1", "DE-DEP-MUC1", "DE-DEP-CGN1", "DE-DEP-STR1", "DE-DEP-HAM1", "DE-DEP-HAN1");
    private static final int SHIPMENTS = 24;
    /** Shipments 0..ARRIVED-1 were scanned in at their origin depot (AT_FACILITY); the others are only BOOKED. */
    private static final int ARRIVED = 16;
    private static final int DAMAGED_SHIPMENT_INDEX = 2;
    private static final List<String> BUILT_IN_WORKFLOWS = List.of("cold-chain", "express", "hazmat", "return-to-sender", "standard-parcel");
    /**
     * The longest a planner-api GET of one shipment may take whatever the engines do: EngineClient.get is
     * bounded by a 5 s timeout per attempt and two retries 100-150 ms apart (each engine call 2 s, connect 1 s).
     */
    private static final Duration PLANNER_API_BOUND = Duration.ofSeconds(16);

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<String> ids = new ArrayList<>();
    private final Map<String, String> origin = new LinkedHashMap<>();
    private final Map<String, String> destination = new LinkedHashMap<>();
    private final Map<String, List<String>> eventIds = new LinkedHashMap<>();
    private String viewer;
    private String planner;
    private String admin;

    @Override
    protected int engines() {
        return 2;
    }

    @BeforeAll
    void publishTheNetworkAndBookShipments() {
        Instant start = Instant.now();
        String[] cluster = {"--bootstrap-servers", system.kafka.bootstrapServers(), "--registry-url", system.registry.apiUrl()};
        assertThat(PublishWorkflows.run(new String[]{cluster[0], cluster[1], cluster[2], cluster[3], "--by", "system-test"})).isZero();
        assertThat(PublishNetwork.run(cluster)).isZero();
        viewer = system.services.token("viewer");
        planner = system.services.token("planner");
        admin = system.services.token("admin");

        // 24 shipments between seed depots, booked through the gateway in one batch; 16 scanned in at their origin
        Instant now = Instant.now();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < SHIPMENTS; i++) {
            String id = "PA-" + i + "-" + suffix;
            ids.add(id);
            origin.put(id, DEPOTS.get(i % DEPOTS.size()));
            destination.put(id, DEPOTS.get((i + 1 + i / DEPOTS.size()) % DEPOTS.size()));
            String booking = UUID.randomUUID().toString();
            events.add(event(booking, id, "SHIPMENT_CREATED", now.minusSeconds(120), "{\"origin\":\"" + origin.get(id) + "\",\"destination\":\""
                    + destination.get(id) + "\",\"serviceLevel\":\"STANDARD\",\"weightKg\":2.5,\"promisedDeliveryAt\":\""
                    + now.plus(Duration.ofDays(10)) + "\"}"));
            eventIds.computeIfAbsent(id, k -> new ArrayList<>()).add(booking);
            if (i < ARRIVED) {
                String arrival = UUID.randomUUID().toString();
                events.add(event(arrival, id, "ARRIVED_AT_FACILITY", now.minusSeconds(60), "{\"facilityId\":\"" + origin.get(id) + "\"}"));
                eventIds.get(id).add(arrival);
            }
        }
        Instant posting = Instant.now();
        Http.Response accepted = Http.postJson(gatewayEvents(), "{\"events\":[" + String.join(",", events) + "]}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("count").asInt()).isEqualTo(events.size());
        Instant posted = Instant.now();

        // the engines fold and plan them; the planner-api's network view has the seed network
        // The first shipment's bound also covers the engines' group settling (their first assignments and
        // restores, slow on a loaded two-core CI machine); the others follow within seconds of it.
        for (int i = 0; i < SHIPMENTS; i++) {
            String expected = i < ARRIVED ? "AT_FACILITY" : "BOOKED";
            awaitShipment(ids.get(i), s -> s.path("status").asText().equals(expected) && s.path("routeStatus").asText().equals("PLANNED"),
                    Duration.ofSeconds(i == 0 ? 240 : 90));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(get("/api/v1/facilities/DE-HUB-FRA", viewer).status()).isEqualTo(200));
        LOG.info("set-up: network and workflows published in {} ms, {} events accepted by the gateway in {} ms{}, all planned {} ms later",
                Duration.between(start, posting).toMillis(), events.size(), Duration.between(posting, posted).toMillis(),
                accepted.json().path("spooled").asBoolean() ? " (spooled)" : "", Duration.between(posted, Instant.now()).toMillis());
    }

    // --- shipments: reads, lists and their errors ---------------------------------------------------

    @Test
    @Order(1)
    void a_shipment_is_read_with_its_route_eta_sla_and_history() {
        String id = ids.get(0);
        Reply r = get("/api/v1/shipments/" + id, viewer);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode s = r.json();
        assertThat(s.get("shipmentId").asText()).isEqualTo(id);
        assertThat(s.get("status").asText()).isEqualTo("AT_FACILITY");
        assertThat(s.get("currentFacilityId").asText()).isEqualTo(origin.get(id));
        assertThat(s.get("workflowName").asText()).isEqualTo("standard-parcel");
        assertThat(s.get("routeStatus").asText()).isEqualTo("PLANNED");
        JsonNode plan = s.get("routePlan");
        assertThat(plan.get("revision").asInt()).isEqualTo(1);
        assertThat(plan.get("fromFacilityId").asText()).isEqualTo(origin.get(id));
        assertThat(plan.get("toFacilityId").asText()).isEqualTo(destination.get(id));
        assertThat(plan.get("legs").size()).isPositive();
        assertThat(plan.get("legs").get(0).get("fromFacilityId").asText()).isEqualTo(origin.get(id));
        assertThat(plan.get("legs").get(plan.get("legs").size() - 1).get("toFacilityId").asText()).isEqualTo(destination.get(id));
        assertThat(Instant.parse(s.get("eta").asText())).isAfter(Instant.now());
        assertThat(s.get("slaStatus").asText()).isEqualTo("ON_TIME");
        assertThat(s.has("stale")).as("a fresh answer carries no stale flag").isFalse();
        assertThat(r.header("X-Waybill-Stale")).isEmpty();

        Reply history = get("/api/v1/shipments/" + id + "/history", viewer);
        assertThat(history.status()).as(history.body()).isEqualTo(200);
        assertThat(history.json().get("shipmentId").asText()).isEqualTo(id);
        List<String> applied = new ArrayList<>();
        for (JsonNode entry : history.json().get("entries")) {
            if (entry.get("kind").asText().equals("EVENT")) {
                assertThat(entry.get("outcome").asText()).as(entry.toString()).isEqualTo("APPLIED");
                applied.add(entry.get("id").asText());
            }
        }
        assertThat(applied).as("the events sent, in occurredAt order").containsExactlyElementsOf(eventIds.get(id));

        String unknown = "NO-SUCH-" + id;
        assertThat(get("/api/v1/shipments/" + unknown, viewer).status()).isEqualTo(404);
        assertThat(get("/api/v1/shipments/" + unknown + "/history", viewer).status()).isEqualTo(404);
        assertThat(get("/api/v1/shipments/" + unknown, viewer).json().get("error").asText()).contains(unknown);
    }

    @Test
    @Order(2)
    void lists_filter_by_status_facility_sla_and_workflow_and_page_with_a_cursor() {
        List<String> atFacility = ids.subList(0, ARRIVED);
        List<String> booked = ids.subList(ARRIVED, SHIPMENTS);

        assertThat(listAll("status=AT_FACILITY", 500)).containsExactlyInAnyOrderElementsOf(atFacility);
        assertThat(listAll("status=BOOKED", 500)).containsExactlyInAnyOrderElementsOf(booked);
        // pages of 5 give the same, each once, in shipmentId order
        List<String> paged = listAll("status=AT_FACILITY", 5);
        assertThat(paged).doesNotHaveDuplicates().isSorted().containsExactlyInAnyOrderElementsOf(atFacility);

        String ber = "DE-DEP-BER1";
        List<String> atBer = ids.stream().filter(id -> origin.get(id).equals(ber) && ids.indexOf(id) < ARRIVED).toList();
        assertThat(atBer).isNotEmpty();
        assertThat(listAll("facility=" + ber, 500)).containsExactlyInAnyOrderElementsOf(atBer);
        assertThat(listAll("facility=" + ber + "&status=AT_FACILITY", 500)).containsExactlyInAnyOrderElementsOf(atBer);
        assertThat(listAll("facility=" + ber + "&status=BOOKED", 500)).isEmpty();
        // a filter the index cannot apply drops shipments after they are read: paging still ends, and finds the same
        assertThat(listAll("facility=" + ber + "&status=BOOKED", 2)).isEmpty();
        assertThat(listAll("facility=" + ber + "&workflow=standard-parcel", 2)).containsExactlyInAnyOrderElementsOf(atBer);
        assertThat(listAll("slaStatus=ON_TIME", 500)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(listAll("slaStatus=LATE", 500)).isEmpty();
        assertThat(listAll("workflow=standard-parcel", 500)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(listAll("workflow=express", 500)).isEmpty();

        Reply page = get("/api/v1/shipments?status=AT_FACILITY&limit=3", viewer);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().get("items")).hasSize(3);
        assertThat(page.json().get("nextCursor").asText()).isEqualTo(page.json().get("items").get(2).get("shipmentId").asText());
        assertThat(page.json().get("unavailableInstances")).isEmpty();
        assertThat(page.json().get("items").get(0).get("routePlan").isObject()).isTrue();
    }

    @Test
    @Order(3)
    void bad_list_filters_are_400_with_every_violation() {
        Reply both = get("/api/v1/shipments?status=FLYING&slaStatus=SOON", viewer);
        assertThat(both.status()).as(both.body()).isEqualTo(400);
        assertThat(both.json().get("violations").findValuesAsText("field")).containsExactlyInAnyOrder("status", "slaStatus");
        // the engine's own checks come back as they are: at least one filter, a limit of 1..500
        Reply noFilter = get("/api/v1/shipments", viewer);
        assertThat(noFilter.status()).as(noFilter.body()).isEqualTo(400);
        assertThat(noFilter.json().get("error").asText()).contains("at least one of");
        Reply badLimit = get("/api/v1/shipments?status=BOOKED&limit=0", viewer);
        assertThat(badLimit.status()).as(badLimit.body()).isEqualTo(400);
        assertThat(badLimit.json().get("error").asText()).contains("limit");

        Reply exceptions = get("/api/v1/exceptions?status=NOPE&type=FIRE&severity=HUGE&olderThan=2h&limit=0", viewer);
        assertThat(exceptions.status()).as(exceptions.body()).isEqualTo(400);
        assertThat(exceptions.json().get("violations").findValuesAsText("field"))
                .containsExactlyInAnyOrder("status", "type", "severity", "olderThan", "limit");
        Reply facilities = get("/api/v1/facilities?type=CASTLE&status=ON_FIRE", viewer);
        assertThat(facilities.status()).as(facilities.body()).isEqualTo(400);
        assertThat(facilities.json().get("violations").findValuesAsText("field")).containsExactlyInAnyOrder("type", "status");
    }

    @Test
    @Order(4)
    void tokens_are_required_valid_and_of_a_sufficient_role() throws Exception {
        String id = ids.get(1);
        String shipment = "/api/v1/shipments/" + id;
        // 401: none, garbage, a foreign key, expired
        for (String path : List.of(shipment, shipment + "/history", "/api/v1/shipments?status=BOOKED", "/api/v1/exceptions",
                "/api/v1/exceptions/counts", "/api/v1/facilities", "/api/v1/facilities/DE-HUB-FRA", "/api/v1/lanes", "/api/v1/workflows",
                "/api/v1/stream")) {
            assertThat(get(path, null).status()).as("no token: " + path).isEqualTo(401);
        }
        assertThat(get(shipment, "not.a.jwt").status()).isEqualTo(401);
        String foreign = DevTokens.ensure(Files.createTempDirectory("foreign-key")).mint("admin", "mallory", Duration.ofHours(1));
        assertThat(get(shipment, foreign).status()).as("signed by a key the planner-api does not trust").isEqualTo(401);
        String expired = system.services.devTokens().mint("admin", "dev-admin", Duration.ofMinutes(-10));
        assertThat(get(shipment, expired).status()).as("expired ten minutes ago").isEqualTo(401);
        assertThat(send("POST", shipment + "/commands", null, "{\"type\":\"HOLD\",\"reason\":\"x\"}").status()).isEqualTo(401);

        // 403: a viewer commands nothing; a planner changes no network or workflow
        Reply viewerHold = send("POST", shipment + "/commands", viewer, "{\"type\":\"HOLD\",\"reason\":\"viewer tries\"}");
        assertThat(viewerHold.status()).as(viewerHold.body()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/exceptions/" + id + ":DAMAGED:1/acknowledge", viewer, "{}").status()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/exceptions/" + id + ":DAMAGED:1/resolve", viewer, "{\"note\":\"n\"}").status()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/exceptions/" + id + ":DAMAGED:1/snooze", viewer, "{\"until\":\"2030-01-01T00:00:00Z\"}").status()).isEqualTo(403);
        assertThat(send("PUT", "/api/v1/facilities/US-DEP-BOS1/status", planner, "{\"status\":\"CLOSED\",\"reason\":\"planner tries\"}").status()).isEqualTo(403);
        assertThat(send("PUT", "/api/v1/lanes/L-BER1-LEJ-R1", planner, "{\"disrupted\":true,\"reason\":\"planner tries\"}").status()).isEqualTo(403);
        assertThat(send("PUT", "/api/v1/workflows/standard-parcel", planner, "{}").status()).isEqualTo(403);
        // ... and nothing of it reached the engine
        JsonNode history = get(shipment + "/history", viewer).json();
        assertThat(history.get("entries").findValuesAsText("kind")).doesNotContain("COMMAND");
        assertThat(get(shipment, viewer).json().get("status").asText()).isEqualTo("AT_FACILITY");
    }

    @Test
    @Order(5)
    void commands_are_checked_before_they_are_published() {
        String shipment = "/api/v1/shipments/" + ids.get(1);
        Reply noReason = send("POST", shipment + "/commands", planner, "{\"type\":\"HOLD\"}");
        assertThat(noReason.status()).as(noReason.body()).isEqualTo(400);
        assertThat(noReason.json().get("violations").findValuesAsText("field")).containsExactly("reason");
        Reply badType = send("POST", shipment + "/commands", planner, "{\"type\":\"TELEPORT\"}");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().get("violations").findValuesAsText("field")).containsExactly("type");
        Reply emptyReroute = send("POST", shipment + "/commands", planner, "{\"type\":\"REROUTE\"}");
        assertThat(emptyReroute.status()).isEqualTo(400);
        assertThat(send("POST", "/api/v1/shipments/NO-SUCH-1/commands", planner, "{\"type\":\"HOLD\",\"reason\":\"x\"}").status()).isEqualTo(404);
        Reply releaseUnheld = send("POST", shipment + "/commands", planner, "{\"type\":\"RELEASE\"}");
        assertThat(releaseUnheld.status()).as(releaseUnheld.body()).isEqualTo(409);
        assertThat(releaseUnheld.json().get("error").asText()).contains("not held");
        // none of these reached the engine
        assertThat(get(shipment + "/history", viewer).json().get("entries").findValuesAsText("kind")).doesNotContain("COMMAND");
    }

    // --- read-your-writes ----------------------------------------------------------------------------

    @Test
    @Order(6)
    void hold_and_release_are_read_back_with_after_command_on_every_shipment() {
        // both engines own some of these: each read must see its own write, with no sleep in between
        for (String id : ids.subList(4, 10)) {
            String shipment = "/api/v1/shipments/" + id;
            Reply hold = send("POST", shipment + "/commands", planner, "{\"type\":\"HOLD\",\"reason\":\"customs check " + id + "\"}");
            assertThat(hold.status()).as(hold.body()).isEqualTo(202);
            String holdId = hold.json().get("commandId").asText();
            assertThat(hold.json().get("type").asText()).isEqualTo("HOLD");
            Reply held = get(shipment + "?afterCommand=" + holdId + "&waitSeconds=20", viewer);
            assertThat(held.status()).as(held.body()).isEqualTo(200);
            assertThat(held.json().get("status").asText()).as(id).isEqualTo("HELD");
            assertThat(held.json().get("holdReason").asText()).isEqualTo("customs check " + id);
            assertThat(held.json().get("statusBeforeHold").asText()).isEqualTo("AT_FACILITY");
            assertThat(held.json().get("lastCommandId").asText()).isEqualTo(holdId);
            assertThat(listAll("status=HELD", 500)).as("the index moves with the state").contains(id);

            Reply again = send("POST", shipment + "/commands", planner, "{\"type\":\"HOLD\",\"reason\":\"twice\"}");
            assertThat(again.status()).as(again.body()).isEqualTo(409);

            Reply release = send("POST", shipment + "/commands", planner, "{\"type\":\"RELEASE\",\"idempotencyKey\":\"release-" + id + "\"}");
            assertThat(release.status()).as(release.body()).isEqualTo(202);
            String releaseId = release.json().get("commandId").asText();
            Reply released = get(shipment + "?afterCommand=" + releaseId + "&waitSeconds=20", viewer);
            assertThat(released.status()).as(released.body()).isEqualTo(200);
            assertThat(released.json().get("status").asText()).as(id).isEqualTo("AT_FACILITY");
            assertThat(released.json().get("lastCommandId").asText()).isEqualTo(releaseId);

            JsonNode history = get(shipment + "/history", viewer).json();
            Map<String, String> commands = new LinkedHashMap<>();
            for (JsonNode e : history.get("entries")) {
                if (e.get("kind").asText().equals("COMMAND")) commands.put(e.get("id").asText(), e.get("outcome").asText() + " by " + e.get("source").asText());
            }
            assertThat(commands).containsExactly(Map.entry(holdId, "APPLIED by dev-planner"), Map.entry(releaseId, "APPLIED by dev-planner"));
        }
        assertThat(listAll("status=HELD", 500)).isEmpty();
    }

    @Test
    @Order(7)
    void a_reroute_avoiding_a_facility_changes_the_plan() {
        // a shipment whose plan passes through a facility other than its two ends
        String id = null;
        String avoid = null;
        for (String candidate : ids.subList(10, ARRIVED)) {
            JsonNode legs = get("/api/v1/shipments/" + candidate, viewer).json().get("routePlan").get("legs");
            if (legs.size() >= 2) {
                id = candidate;
                avoid = legs.get(0).get("toFacilityId").asText();
                break;
            }
        }
        assertThat(id).as("a shipment with a plan of two legs or more").isNotNull();
        JsonNode before = get("/api/v1/shipments/" + id, viewer).json();

        Reply reroute = send("POST", "/api/v1/shipments/" + id + "/commands", planner,
                "{\"type\":\"REROUTE\",\"avoidFacilityIds\":[\"" + avoid + "\"]}");
        assertThat(reroute.status()).as(reroute.body()).isEqualTo(202);
        Reply after = get("/api/v1/shipments/" + id + "?afterCommand=" + reroute.json().get("commandId").asText() + "&waitSeconds=20", viewer);
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        JsonNode s = after.json();
        assertThat(s.get("routeStatus").asText()).as(s.toString()).isEqualTo("PLANNED");
        assertThat(s.get("avoidFacilityIds").toString()).contains(avoid);
        JsonNode plan = s.get("routePlan");
        assertThat(plan.get("revision").asInt()).isEqualTo(before.get("routePlan").get("revision").asInt() + 1);
        assertThat(plan.get("reason").asText()).startsWith("PLANNER_REROUTE");
        assertThat(plan.get("toFacilityId").asText()).isEqualTo(destination.get(id));
        for (JsonNode leg : plan.get("legs")) {
            assertThat(leg.get("fromFacilityId").asText()).as(plan.toString()).isNotEqualTo(avoid);
            assertThat(leg.get("toFacilityId").asText()).as(plan.toString()).isNotEqualTo(avoid);
        }
        assertThat(s.get("status").asText()).isEqualTo("AT_FACILITY");
        LOG.info("rerouted {} avoiding {}: {} -> {}", id, avoid, legsOf(before.get("routePlan")), legsOf(plan));
    }

    // --- exceptions ----------------------------------------------------------------------------------

    @Test
    @Order(8)
    void a_damage_report_becomes_an_exception_that_planners_acknowledge_and_resolve() throws Exception {
        String id = ids.get(DAMAGED_SHIPMENT_INDEX);
        String facility = origin.get(id);
        String exceptionId = id + ":DAMAGED:1";

        // the live stream, filtered by the facility, is open before the damage is reported
        CompletableFuture<String> streamed = awaitStreamed("/api/v1/stream?facility=" + facility, "exception", exceptionId);

        Http.Response damaged = Http.postJson(gatewayEvents(), event(UUID.randomUUID().toString(), id, "DAMAGED", Instant.now(),
                "{\"facilityId\":\"" + facility + "\",\"description\":\"crushed corner\"}"));
        assertThat(damaged.status()).as(damaged.body()).isEqualTo(202);

        JsonNode listed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Reply r = get("/api/v1/exceptions?type=DAMAGED", viewer);
            if (r.status() != 200) return null;
            for (JsonNode e : r.json().get("items")) if (e.get("exceptionId").asText().equals(exceptionId)) return e;
            return null;
        }, e -> e != null);
        assertThat(listed.get("status").asText()).isEqualTo("OPEN");
        assertThat(listed.get("severity").asText()).isEqualTo("HIGH");
        assertThat(listed.get("facilityId").asText()).isEqualTo(facility);
        assertThat(listed.get("shipmentId").asText()).isEqualTo(id);
        assertThat(exceptionIds("/api/v1/exceptions?facility=" + facility)).contains(exceptionId);
        assertThat(exceptionIds("/api/v1/exceptions?severity=HIGH&type=DAMAGED")).containsExactly(exceptionId);
        Reply counts = get("/api/v1/exceptions/counts", viewer);
        assertThat(counts.status()).isEqualTo(200);
        assertThat(counts.json().get("byType").get("DAMAGED").asInt()).isEqualTo(1);
        assertThat(counts.json().get("byFacility").get(facility).asInt()).isPositive();
        assertThat(streamed.get(30, TimeUnit.SECONDS)).as("the exception on the live stream").contains(exceptionId);

        // errors before anything is published
        assertThat(send("POST", "/api/v1/exceptions/not-an-id/acknowledge", planner, "{}").status()).isEqualTo(400);
        assertThat(send("POST", "/api/v1/exceptions/" + id + ":MISSED_SCAN:1/acknowledge", planner, "{}").status()).isEqualTo(404);
        assertThat(send("POST", "/api/v1/exceptions/NO-SUCH-1:DAMAGED:1/acknowledge", planner, "{}").status()).isEqualTo(404);
        Reply noNote = send("POST", "/api/v1/exceptions/" + exceptionId + "/resolve", planner, "{}");
        assertThat(noNote.status()).isEqualTo(400);
        assertThat(noNote.json().get("violations").findValuesAsText("field")).containsExactly("note");
        assertThat(send("POST", "/api/v1/exceptions/" + exceptionId + "/snooze", planner, "{\"until\":\"2020-01-01T00:00:00Z\"}").status()).isEqualTo(400);

        // acknowledge, read back
        Reply ack = send("POST", "/api/v1/exceptions/" + exceptionId + "/acknowledge", planner, "{\"note\":\"calling the depot\"}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(202);
        assertThat(ack.json().get("exceptionId").asText()).isEqualTo(exceptionId);
        assertThat(ack.json().get("shipmentId").asText()).isEqualTo(id);
        JsonNode acknowledged = exceptionOf(get("/api/v1/shipments/" + id + "?afterCommand=" + ack.json().get("commandId").asText()
                + "&waitSeconds=20", viewer), exceptionId);
        assertThat(acknowledged.get("status").asText()).isEqualTo("ACKNOWLEDGED");
        assertThat(acknowledged.get("acknowledgedBy").asText()).isEqualTo("dev-planner");
        assertThat(exceptionIds("/api/v1/exceptions?status=ACKNOWLEDGED")).containsExactly(exceptionId);
        assertThat(exceptionIds("/api/v1/exceptions?type=DAMAGED")).as("no longer OPEN").doesNotContain(exceptionId);
        Reply ackAgain = send("POST", "/api/v1/exceptions/" + exceptionId + "/acknowledge", planner, "{}");
        assertThat(ackAgain.status()).as(ackAgain.body()).isEqualTo(409);

        // resolve with a note, read back; resolving again is a conflict
        Reply resolve = send("POST", "/api/v1/exceptions/" + exceptionId + "/resolve", planner, "{\"note\":\"repacked at the depot\"}");
        assertThat(resolve.status()).as(resolve.body()).isEqualTo(202);
        JsonNode resolved = exceptionOf(get("/api/v1/shipments/" + id + "?afterCommand=" + resolve.json().get("commandId").asText()
                + "&waitSeconds=20", viewer), exceptionId);
        assertThat(resolved.get("status").asText()).isEqualTo("RESOLVED");
        assertThat(resolved.get("resolvedBy").asText()).isEqualTo("dev-planner");
        assertThat(resolved.get("note").asText()).isEqualTo("repacked at the depot");
        assertThat(exceptionIds("/api/v1/exceptions?status=RESOLVED")).containsExactly(exceptionId);
        Reply resolveAgain = send("POST", "/api/v1/exceptions/" + exceptionId + "/resolve", planner, "{\"note\":\"again\"}");
        assertThat(resolveAgain.status()).as(resolveAgain.body()).isEqualTo(409);
        assertThat(resolveAgain.json().get("error").asText()).contains("already RESOLVED");
        assertThat(get("/api/v1/exceptions/counts", viewer).json().path("byType").path("DAMAGED").asInt(0)).isZero();
        // the shipment itself moved on as before: a damage report does not change its status
        assertThat(get("/api/v1/shipments/" + id, viewer).json().get("status").asText()).isEqualTo("AT_FACILITY");
    }

    // --- network and workflows -----------------------------------------------------------------------

    @Test
    @Order(9)
    void facilities_lanes_and_workflows_are_served_and_changed_by_admins_only() {
        Reply all = get("/api/v1/facilities?region=EU-CENTRAL&type=DEPOT", viewer);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().get("items").findValuesAsText("facilityId")).containsAll(DEPOTS).allMatch(f -> f.contains("-DEP-"));
        assertThat(all.json().get("asOf").isNull()).isFalse();

        String ber = "DE-DEP-BER1";
        Reply facility = get("/api/v1/facilities/" + ber, viewer);
        assertThat(facility.status()).as(facility.body()).isEqualTo(200);
        JsonNode f = facility.json();
        assertThat(f.get("facilityId").asText()).isEqualTo(ber);
        assertThat(f.get("type").asText()).isEqualTo("DEPOT");
        assertThat(f.get("status").asText()).isEqualTo("OPEN");
        assertThat(f.get("loadUnavailable").asBoolean()).isFalse();
        JsonNode load = f.get("load");
        assertThat(load.get("onHand").asLong()).as("on hand = AT_FACILITY shipments at it")
                .isEqualTo(listAll("facility=" + ber + "&status=AT_FACILITY", 500).size());
        assertThat(load.get("unavailableInstances")).isEmpty();
        assertThat(get("/api/v1/facilities/XX-NOPE-1", viewer).status()).isEqualTo(404);

        // an admin changes a facility nobody's route uses; the change comes back through the view
        String quiet = "US-DEP-BOS1";
        assertThat(send("PUT", "/api/v1/facilities/" + quiet + "/status", admin, "{\"status\":\"CONGESTED\"}").status())
                .as("a reason is required except to reopen").isEqualTo(400);
        assertThat(send("PUT", "/api/v1/facilities/" + quiet + "/status", admin, "{\"status\":\"ON_FIRE\",\"reason\":\"x\"}").status()).isEqualTo(400);
        assertThat(send("PUT", "/api/v1/facilities/XX-NOPE-1/status", admin, "{\"status\":\"CLOSED\",\"reason\":\"x\"}").status()).isEqualTo(404);
        Reply congested = send("PUT", "/api/v1/facilities/" + quiet + "/status", admin, "{\"status\":\"CONGESTED\",\"reason\":\"snow\"}");
        assertThat(congested.status()).as(congested.body()).isEqualTo(202);
        assertThat(congested.json().get("updatedBy").asText()).isEqualTo("dev-admin");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get("/api/v1/facilities/" + quiet, viewer).json().get("status").asText()).isEqualTo("CONGESTED"));
        assertThat(send("PUT", "/api/v1/facilities/" + quiet + "/status", admin, "{\"status\":\"OPEN\"}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(get("/api/v1/facilities/" + quiet, viewer).json().get("status").asText()).isEqualTo("OPEN"));

        Reply lanes = get("/api/v1/lanes?from=" + ber, viewer);
        assertThat(lanes.status()).isEqualTo(200);
        assertThat(lanes.json().get("items").findValuesAsText("fromFacilityId")).isNotEmpty().containsOnly(ber);
        Reply lane = get("/api/v1/lanes/L-BER1-LEJ-R1", viewer);
        assertThat(lane.status()).isEqualTo(200);
        assertThat(lane.json().get("toFacilityId").asText()).isEqualTo("DE-HUB-LEJ");
        assertThat(lane.json().get("disrupted").asBoolean()).isFalse();
        assertThat(get("/api/v1/lanes/L-NOPE", viewer).status()).isEqualTo(404);
        assertThat(send("PUT", "/api/v1/lanes/L-BER1-LEJ-R1", admin, "{\"disrupted\":true}").status()).as("a reason is required to disrupt").isEqualTo(400);
        assertThat(send("PUT", "/api/v1/lanes/L-NOPE", admin, "{\"disrupted\":false}").status()).isEqualTo(404);

        Reply workflows = get("/api/v1/workflows", viewer);
        assertThat(workflows.status()).as(workflows.body()).isEqualTo(200);
        assertThat(workflows.json().get("items").findValuesAsText("name")).containsExactlyElementsOf(BUILT_IN_WORKFLOWS);
        Reply parcel = get("/api/v1/workflows/standard-parcel", viewer);
        assertThat(parcel.status()).isEqualTo(200);
        assertThat(parcel.json().get("version").asInt()).isEqualTo(1);
        assertThat(parcel.json().get("publishedBy").asText()).isEqualTo("system-test");
        assertThat(parcel.json().get("definition").get("transitions").isArray()).isTrue();
        assertThat(get("/api/v1/workflows/no-such-flow", viewer).status()).isEqualTo(404);
        assertThat(get("/api/v1/workflows/standard-parcel?version=7", viewer).status()).isEqualTo(404);
        // an admin may publish, but not an invalid definition nor a version that is not above the latest
        assertThat(send("PUT", "/api/v1/workflows/standard-parcel", admin, "{\"name\":\"standard-parcel\",\"version\":2}").status()).isEqualTo(400);
        String sameVersion = parcel.json().get("definition").toString();
        Reply conflict = send("PUT", "/api/v1/workflows/standard-parcel", admin, sameVersion);
        assertThat(conflict.status()).as(conflict.body()).isEqualTo(409);
    }

    // --- degradation ---------------------------------------------------------------------------------

    @Test
    @Order(10)
    void with_one_engine_killed_queries_still_answer_and_commands_are_still_accepted() {
        String engine0 = hostPort(system.services.engine(0).url());
        String engine1Url = system.services.engine(1).url();
        // the shipments engine 0 owns (scanned in, not held), and proof that engine 1 keeps a standby copy of each
        Map<String, String> status = new LinkedHashMap<>();
        for (String id : ids) status.put(id, get("/api/v1/shipments/" + id, viewer).json().get("status").asText());
        List<String> ownedByEngine0 = new ArrayList<>();
        for (String id : ids) {
            Http.Response r = Http.engine(engine1Url + "/internal/shipments/" + id, system.services);
            assertThat(r.status()).isEqualTo(200);
            if (r.header("X-Waybill-Served-By").orElseThrow().equals(engine0)) ownedByEngine0.add(id);
        }
        List<String> owned = ownedByEngine0.stream().filter(id -> ids.indexOf(id) < ARRIVED).toList();
        List<String> ownedByEngine1 = ids.stream().filter(id -> !ownedByEngine0.contains(id)).toList();
        LOG.info("engine 0 ({}) owns {} of the {} scanned-in shipments: {}", engine0, owned.size(), ARRIVED, owned);
        assertThat(owned).as("engine 0 owns some of 16 shipments over 12 partitions").isNotEmpty();
        for (String id : owned) {
            // asked as if it were the owner, engine 1 answers from its standby replica
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Response r = Http.engine(engine1Url + "/internal/shipments/" + id + "?forwarded=true", system.services);
                assertThat(r.status()).as("standby of " + id + ": " + r.body()).isEqualTo(200);
                assertThat(r.header("X-Waybill-Stale")).contains("true");
            });
        }

        // when engine 0 is killed with SIGKILL
        system.services.engine(0).kill();
        Instant killed = Instant.now();
        LOG.info("engine 0 killed");

        // then, before the group notices (session timeout 10 s), engine 1 answers from its standby, flagged stale
        List<Reply> first = new ArrayList<>();
        for (String id : owned) first.add(get("/api/v1/shipments/" + id, viewer));
        Duration firstRound = Duration.between(killed, Instant.now());
        LOG.info("first round after the kill: {} reads in {} ms, statuses {}, stale {}", first.size(), firstRound.toMillis(),
                first.stream().map(Reply::status).toList(), first.stream().map(r -> r.header("X-Waybill-Stale").orElse("-")).toList());
        assertThat(firstRound).as("the first round must fit in the session timeout for this to be about the standby").isLessThan(Duration.ofSeconds(8));
        for (int i = 0; i < owned.size(); i++) {
            Reply r = first.get(i);
            assertThat(r.status()).as(owned.get(i) + ": " + r.body()).isEqualTo(200);
            assertThat(r.header("X-Waybill-Stale")).as(owned.get(i)).contains("true");
            assertThat(r.header("X-Waybill-Lag-Records")).as(owned.get(i)).isPresent();
            assertThat(r.json().get("stale").asBoolean()).isTrue();
            assertThat(r.json().get("lagRecords").asLong()).isEqualTo(Long.parseLong(r.header("X-Waybill-Lag-Records").orElseThrow()));
            assertThat(r.json().get("status").asText()).isEqualTo(status.get(owned.get(i)));
            assertThat(r.millis()).isLessThan(PLANNER_API_BOUND.toMillis());
        }
        // commands are accepted (checked against the standby copy, published to Kafka)
        Map<String, String> holds = new LinkedHashMap<>();
        for (String id : owned) {
            Reply hold = send("POST", "/api/v1/shipments/" + id + "/commands", planner, "{\"type\":\"HOLD\",\"reason\":\"engine down drill\"}");
            assertThat(hold.status()).as(id + ": " + hold.body()).isEqualTo(202);
            holds.put(id, hold.json().get("commandId").asText());
        }
        // lists and loads answer with what is reachable, naming the instance that is not
        Reply partial = get("/api/v1/shipments?workflow=standard-parcel&limit=500", viewer);
        Reply load = get("/api/v1/facilities/DE-DEP-BER1", viewer);
        LOG.info("list right after the kill: {} items, unavailable {}; facility load unavailable {}: {}", partial.json().path("items").size(),
                partial.json().get("unavailableInstances"), load.json().get("loadUnavailable"), load.json().get("load"));
        assertThat(Duration.between(killed, Instant.now())).as("still before the session timeout").isLessThan(Duration.ofSeconds(8));
        assertThat(partial.status()).as(partial.body()).isEqualTo(200);
        assertThat(partial.json().get("unavailableInstances").toString()).isEqualTo("[\"" + engine0 + "\"]");
        assertThat(partial.json().get("items").findValuesAsText("shipmentId")).as("what engine 1 owns, and nothing of engine 0's")
                .containsAll(ownedByEngine1).doesNotContainAnyElementsOf(ownedByEngine0);
        assertThat(load.status()).isEqualTo(200);
        assertThat(load.json().get("loadUnavailable").asBoolean()).isFalse();
        assertThat(load.json().get("load").get("unavailableInstances").toString()).isEqualTo("[\"" + engine0 + "\"]");

        // and until engine 1 has taken the partitions over, every read answers within the planner-api's bound:
        // 200 (stale from the standby, then fresh from the new active), or, while the partition is handed over and
        // no instance can serve it, 503 with Retry-After (the documented answer when no engine can answer); never a hang
        Map<Integer, Integer> seen = new LinkedHashMap<>();
        long slowest = 0;
        Set<String> fresh = new HashSet<>();
        Instant deadline = Instant.now().plusSeconds(90);
        while (fresh.size() < owned.size() && Instant.now().isBefore(deadline)) {
            for (String id : owned) {
                Reply r = get("/api/v1/shipments/" + id, viewer);
                slowest = Math.max(slowest, r.millis());
                seen.merge(r.status(), 1, Integer::sum);
                assertThat(r.millis()).as(id).isLessThan(PLANNER_API_BOUND.toMillis());
                if (r.status() == 503) {
                    assertThat(r.header("Retry-After")).as(id + ": " + r.body()).isPresent();
                    continue;
                }
                assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(200);
                if (r.header("X-Waybill-Stale").isEmpty()) {
                    fresh.add(id);
                    assertThat(r.json().has("stale")).isFalse();
                }
            }
            sleep(200);
        }
        Duration takeover = Duration.between(killed, Instant.now());
        LOG.info("engine 1 served every shipment of engine 0 fresh {} s after the kill; answers by status {}, slowest {} ms",
                takeover.toMillis() / 1000.0, seen, slowest);
        assertThat(fresh).as("engine 1 took over within 90 s").containsExactlyInAnyOrderElementsOf(owned);

        // the commands accepted while engine 0 was down are applied by engine 1, read back with afterCommand
        for (var hold : holds.entrySet()) {
            Reply r = get("/api/v1/shipments/" + hold.getKey() + "?afterCommand=" + hold.getValue() + "&waitSeconds=30", viewer); // 30 s: the most the API waits
            assertThat(r.status()).as(hold.getKey() + ": " + r.body()).isEqualTo(200);
            if (!r.json().get("status").asText().equals("HELD")) LOG.error("hold of {} not seen: {}", hold.getKey(), diagnose(hold.getKey(), r));
            assertThat(r.json().get("status").asText()).isEqualTo("HELD");
            assertThat(r.json().get("lastCommandId").asText()).isEqualTo(hold.getValue());
        }
        // the lists are whole again: engine 1 owns every partition and nobody is missing
        Reply whole = get("/api/v1/shipments?workflow=standard-parcel&limit=500", viewer);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.json().get("unavailableInstances")).as(whole.body()).isEmpty();
        assertThat(whole.json().get("items").findValuesAsText("shipmentId")).containsAll(ids);
        status.keySet().forEach(id -> {
            if (holds.containsKey(id)) status.put(id, "HELD");
        });

        // when engine 0 is restarted, everything converges: both engines and the planner-api answer fresh for every shipment
        Instant restarting = Instant.now();
        system.services.restartEngine(0);
        LOG.info("engine 0 restarted and ready in {} s", Duration.between(restarting, Instant.now()).toMillis() / 1000.0);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String id : ids) {
                for (int e = 0; e < 2; e++) {
                    Http.Response r = Http.engine(system.services.engine(e).url() + "/internal/shipments/" + id, system.services);
                    assertThat(r.status()).as("engine " + e + ", " + id + ": " + r.body()).isEqualTo(200);
                    assertThat(r.header("X-Waybill-Stale")).as("engine " + e + ", " + id).isEmpty();
                    assertThat(r.json().get("status").asText()).as(id).isEqualTo(status.get(id));
                }
            }
            Reply list = get("/api/v1/shipments?workflow=standard-parcel&limit=500", viewer);
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().get("unavailableInstances")).as(list.body()).isEmpty();
            assertThat(list.json().get("items").findValuesAsText("shipmentId")).containsAll(ids);
        });
        LOG.info("converged {} s after the restart", Duration.between(restarting, Instant.now()).toMillis() / 1000.0);
        // and commands keep working end to end: each release is applied and read back (afterCommand answers 503 with
        // Retry-After while the command is not processed yet; the engine that restarted may take a while to start)
        Map<String, String> releases = new LinkedHashMap<>();
        for (String id : holds.keySet()) {
            Reply release = send("POST", "/api/v1/shipments/" + id + "/commands", planner, "{\"type\":\"RELEASE\"}");
            assertThat(release.status()).as(release.body()).isEqualTo(202);
            releases.put(id, release.json().get("commandId").asText());
        }
        Instant released = Instant.now();
        for (var release : releases.entrySet()) {
            String id = release.getKey();
            Reply r;
            do {
                r = get("/api/v1/shipments/" + id + "?afterCommand=" + release.getValue() + "&waitSeconds=20", viewer);
                assertThat(r.status()).as(id + ": " + r.body()).isIn(200, 503);
            } while (r.status() == 503 && Instant.now().isBefore(released.plusSeconds(90)));
            if (r.status() != 200 || !r.json().get("status").asText().equals("AT_FACILITY")) {
                LOG.error("release of {} not seen: {}", id, diagnose(id, r));
                LOG.error("records of {}:{}", id, records(id));
            }
            assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(200);
            assertThat(r.header("X-Waybill-Stale")).isEmpty();
            assertThat(r.json().get("status").asText()).isEqualTo("AT_FACILITY");
            assertThat(r.json().get("lastCommandId").asText()).isEqualTo(release.getValue());
        }
        LOG.info("the {} releases after the restart were all applied and read back {} s after they were accepted", releases.size(),
                Duration.between(released, Instant.now()).toMillis() / 1000.0);
    }

    // --- helpers ---------------------------------------------------------------------------------------

    /** One planner-api answer, with how long it took. */
    record Reply(int status, String body, HttpResponse<String> raw, long millis) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        Optional<String> header(String name) {
            return raw == null ? Optional.empty() : raw.headers().firstValue(name);
        }
    }

    private Reply get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** A request to the planner-api; -1 if it did not answer within 45 s (a hang) or could not be reached. */
    private Reply send(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(system.services.plannerApi().url() + path)).timeout(Duration.ofSeconds(45));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r, (System.nanoTime() - start) / 1_000_000);
        } catch (HttpTimeoutException e) {
            return new Reply(-1, "no answer within 45 s: " + method + " " + path, null, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            return new Reply(-1, e.toString(), null, (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every shipmentId of a list query, following nextCursor page by page. */
    private List<String> listAll(String query, int limit) {
        List<String> all = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 100; pages++) {
            Reply r = get("/api/v1/shipments?" + query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + encode(cursor)), viewer);
            assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
            assertThat(r.json().get("unavailableInstances")).as(query).isEmpty();
            all.addAll(r.json().get("items").findValuesAsText("shipmentId"));
            JsonNode next = r.json().get("nextCursor");
            if (next == null || next.isNull()) return all;
            cursor = next.asText();
        }
        throw new AssertionError("more than 100 pages for " + query);
    }

    private List<String> exceptionIds(String path) {
        Reply r = get(path, viewer);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return r.json().get("items").findValuesAsText("exceptionId");
    }

    /** What each engine says about a shipment, for a failure message. */
    private String diagnose(String id, Reply seen) {
        StringBuilder b = new StringBuilder("\nplanner-api answered ").append(seen.status()).append(" stale=")
                .append(seen.header("X-Waybill-Stale").orElse("-")).append(": ").append(seen.body());
        for (int e = 0; e < system.services.engineCount(); e++) {
            String engine = system.services.engine(e).url();
            for (String suffix : List.of("", "/history")) {
                Http.Response r = Http.engine(engine + "/internal/shipments/" + id + suffix, system.services);
                b.append("\nengine ").append(e).append(suffix).append(" -> ").append(r.status()).append(" served by ")
                        .append(r.raw() == null ? "-" : r.header("X-Waybill-Served-By").orElse("-")).append(" stale=")
                        .append(r.raw() == null ? "-" : r.header("X-Waybill-Stale").orElse("-")).append(": ").append(r.body());
            }
        }
        return b.toString();
    }

    /** The shipment's records on the state topic and on the engine's state and history changelogs (read_committed). */
    private String records(String id) {
        StringBuilder b = new StringBuilder();
        var serdes = WaybillSerdes.withRegistry(system.registry.apiUrl());
        for (String topic : List.of(WaybillTopic.PLANNER_COMMANDS.topicName(), WaybillTopic.SHIPMENT_STATE.topicName(),
                "waybill-engine-shipment-state-changelog", "waybill-engine-shipment-history-changelog")) {
            // the changelogs hold the engine's store format, the topics the registry's wire format
            Deserializer<?> deserializer = topic.contains("history")
                    ? serdes.store(ShipmentHistory.class).deserializer()
                    : topic.contains("commands") ? serdes.value(PlannerCommand.class).deserializer()
                    : topic.contains("changelog") ? serdes.store(ShipmentState.class).deserializer()
                    : serdes.value(ShipmentState.class).deserializer();
            try {
                TopicRecords.readToEnd(system.kafka.bootstrapServers(), topic, "read_committed", deserializer, Duration.ofSeconds(20), rec -> {
                    // history records are keyed shipmentId NUL position
                    if (!id.equals(topic.contains("history") ? io.waybill.topology.shipment.HistoryRecords.shipmentIdOf(rec.key()) : rec.key())) return;
                    b.append("\n").append(topic).append(" ").append(rec.partition()).append("@").append(rec.offset()).append(": ");
                    if (rec.value() instanceof ShipmentState st) {
                        b.append(st.getStatus()).append(" lastCommandId=").append(st.getLastCommandId()).append(" updatedAt=").append(st.getUpdatedAt());
                    } else if (rec.value() instanceof PlannerCommand c) {
                        b.append(c.getPayload().getClass().getSimpleName()).append(" ").append(c.getCommandId()).append(" issuedAt=").append(c.getIssuedAt());
                    } else if (rec.value() instanceof ShipmentHistory h) {
                        b.append(h.getEntries().size()).append(" entries, last ").append(h.getEntries().get(h.getEntries().size() - 1).getType());
                    } else {
                        b.append(rec.value());
                    }
                });
            } catch (RuntimeException e) {
                b.append("\n").append(topic).append(": ").append(e);
            }
        }
        return b.toString();
    }

    private static JsonNode exceptionOf(Reply shipment, String exceptionId) {
        assertThat(shipment.status()).as(shipment.body()).isEqualTo(200);
        for (JsonNode e : shipment.json().get("exceptions")) if (e.get("exceptionId").asText().equals(exceptionId)) return e;
        throw new AssertionError(exceptionId + " not in " + shipment.body());
    }

    private JsonNode awaitShipment(String id, Predicate<JsonNode> condition) {
        return awaitShipment(id, condition, Duration.ofSeconds(90));
    }

    /**
     * Polls the planner-api until the shipment meets {@code condition}. On a timeout the failure says what
     * the planner-api last answered and what the topics hold for the shipment, not only "was null".
     */
    private JsonNode awaitShipment(String id, Predicate<JsonNode> condition, Duration within) {
        AtomicReference<Reply> last = new AtomicReference<>();
        try {
            return await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
                Reply r = get("/api/v1/shipments/" + id, viewer);
                last.set(r);
                return r.status() == 200 && condition.test(r.json()) ? r.json() : null;
            }, s -> s != null);
        } catch (ConditionTimeoutException e) {
            Reply r = last.get();
            throw new AssertionError(id + " did not reach the expected state within " + within.toSeconds() + " s; the planner-api last answered "
                    + (r == null ? "nothing" : r.status() + ": " + r.body()) + "; the topics hold:" + records(id), e);
        }
    }

    /**
     * Reads the live stream at {@code path} in the background until an event named {@code name} whose data
     * contains {@code text}; completes with that data. Returns once the stream is open (its "connected" comment read).
     */
    private CompletableFuture<String> awaitStreamed(String path, String name, String text) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(system.services.plannerApi().url() + path))
                .header("Authorization", "Bearer " + viewer).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = response.body();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String event = null;
                String l;
                while ((l = lines.readLine()) != null && !found.isDone()) {
                    if (l.startsWith(":") && l.substring(1).trim().startsWith("connected")) connected.complete(null);
                    else if (l.startsWith("event:")) event = l.substring(6).trim();
                    else if (l.startsWith("data:") && name.equals(event) && l.contains(text)) found.complete(l.substring(5).trim());
                    else if (l.isEmpty()) event = null;
                }
                found.completeExceptionally(new AssertionError("the stream ended"));
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        connected.get(10, TimeUnit.SECONDS);
        return found;
    }

    private String gatewayEvents() {
        return system.services.gateway().url() + "/api/v1/events";
    }

    private static String event(String eventId, String shipmentId, String type, Instant at, String data) {
        return "{\"eventId\":\"" + eventId + "\",\"shipmentId\":\"" + shipmentId + "\",\"type\":\"" + type + "\",\"occurredAt\":\"" + at
                + "\",\"source\":\"system-test\",\"data\":" + data + "}";
    }

    private static List<String> legsOf(JsonNode plan) {
        List<String> legs = new ArrayList<>();
        for (JsonNode leg : plan.get("legs")) legs.add(leg.get("fromFacilityId").asText() + ">" + leg.get("toFacilityId").asText());
        return legs;
    }

    private static String hostPort(String url) {
        return url.replace("http://", "");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
