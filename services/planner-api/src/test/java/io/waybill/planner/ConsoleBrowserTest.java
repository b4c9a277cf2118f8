package io.waybill.planner;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.TransportMode;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;

/**
 * The web console in a real browser: Debian's Chromium, headless, driven by playwright-core
 * (src/test/browser/console.test.mjs) against this planner-api with stub engines and a real cluster.
 * A planner works the exceptions queue (acknowledge, resolve with a note, live rows), follows a
 * shipment on the map as it departs, reads facility load; an admin closes a facility; a viewer sees
 * no actions; 401 and 503 are shown. Screenshots go to target/console-screenshots.
 * Needs {@code chromium} (CI: .ci/run installs it) and node; playwright-core comes from npm.
 */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class ConsoleBrowserTest {

    static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    static final Path CHROMIUM = Path.of(System.getProperty("waybill.chromium", "/usr/bin/chromium"));
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    private final String region = "CON-" + UUID.randomUUID().toString().substring(0, 6);
    private final String hubA = region + "-HUB-A", hubB = region + "-HUB-B";
    private final String dep1 = region + "-DEP-1", dep2 = region + "-DEP-2", dep3 = region + "-DEP-3";
    private final String s1 = region + "-S1", s2 = region + "-S2", s3 = region + "-S3", s4 = region + "-S4";
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @AfterEach
    void reset() {
        StubEngines.reset();
    }

    @Test
    void a_planner_works_the_queue_follows_a_shipment_on_the_map_and_reads_facility_load_in_chromium() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .withFailMessage("The console test needs Chromium at %s: apt-get install -y chromium (.ci/run does), "
                        + "or -Dwaybill.chromium=<path>", CHROMIUM).isTrue();
        installPlaywrightCore();

        // given a region of five facilities, one congested; loads for all but one
        produceFacility(hubA, "Leipzig hub", FacilityType.HUB, 51.42, 12.24, FacilityStatus.OPEN);
        produceFacility(hubB, "Nuremberg hub", FacilityType.HUB, 49.45, 11.08, FacilityStatus.CONGESTED);
        produceFacility(dep1, "Berlin depot", FacilityType.DEPOT, 52.52, 13.40, FacilityStatus.OPEN);
        produceFacility(dep2, "Munich depot", FacilityType.DEPOT, 48.14, 11.58, FacilityStatus.OPEN);
        produceFacility(dep3, "Hamburg depot", FacilityType.DEPOT, 53.55, 9.99, FacilityStatus.OPEN);
        load(hubA, 140, 310, 4);
        load(hubB, 220, 180, 9);
        load(dep1, 35, 60, 1);
        load(dep2, 48, 95, 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.asViewer().get("/api/v1/facilities/" + dep3).statusCode() == 200);

        // and a shipment at the first hub of its three-leg plan, with an open exception there
        Map<String, Object> dwell = exception(s1 + ":DWELL_EXCEEDED:1", s1, "DWELL_EXCEEDED", "MEDIUM", hubA, now.minus(Duration.ofMinutes(185)));
        Map<String, Object> missed = exception(s2 + ":MISSED_SCAN:1", s2, "MISSED_SCAN", "HIGH", dep3, now.minus(Duration.ofMinutes(50)));
        Map<String, Object> damaged = exception(s3 + ":DAMAGED:1", s3, "DAMAGED", "CRITICAL", dep2, now.minus(Duration.ofMinutes(12)));
        StubEngines.SHIPMENTS.put(s1, JSON.writeValueAsString(shipment(s1, List.of(dwell))));
        StubEngines.SHIPMENTS.put(s2, JSON.writeValueAsString(Map.of("shipmentId", s2, "status", "AT_FACILITY", "exceptions", List.of(missed))));
        StubEngines.SHIPMENTS.put(s3, JSON.writeValueAsString(Map.of("shipmentId", s3, "status", "HELD", "exceptions", List.of(damaged))));
        StubEngines.STALE.put(s3, 42L);
        StubEngines.HISTORIES.put(s1, JSON.writeValueAsString(Map.of("shipmentId", s1, "entries", List.of(
                entry("SHIPMENT_CREATED", null, now.minus(Duration.ofHours(6)), "APPLIED"),
                entry("ARRIVED_AT_FACILITY", dep1, now.minus(Duration.ofHours(5)), "APPLIED"),
                entry("ARRIVED_AT_FACILITY", hubA, now.minus(Duration.ofHours(3)), "APPLIED")))));
        StubEngines.exceptionList = JSON.writeValueAsString(Map.of("items", List.of(damaged, missed, dwell), "unavailableInstances", List.of()));

        // when the browser script runs
        Map<String, Object> config = new HashMap<>();
        config.put("baseUrl", base.toString());
        config.put("chromium", CHROMIUM.toString());
        config.put("screenshots", SCREENSHOTS.toAbsolutePath().toString());
        config.put("tokens", Map.of("planner", TestTokens.forRole("planner", "console-planner"), "admin", TestTokens.forRole("admin", "console-admin"),
                "viewer", TestTokens.forRole("viewer", "console-viewer"), "expired", TestTokens.expired("planner")));
        config.put("region", region);
        config.put("facilities", List.of(hubA, hubB, dep1, dep2, dep3));
        config.put("noLoadFacility", dep3);
        config.put("congestedFacility", hubB);
        config.put("closeFacility", dep3);
        config.put("exceptions", List.of(damaged, missed, dwell));
        config.put("ackExceptionId", dwell.get("exceptionId"));
        config.put("resolveExceptionId", damaged.get("exceptionId"));
        config.put("liveExceptionId", s4 + ":MISROUTED:1");
        config.put("shipment", Map.of("id", s1, "legs", 3, "at", hubA, "historyEntries", 3));
        config.put("staleShipmentId", s3);
        Files.createDirectories(SCREENSHOTS);
        try (var old = Files.list(SCREENSHOTS)) {
            for (Path p : old.toList()) Files.delete(p);
        }
        Script script = runScript(JSON.writeValueAsString(config), Map.of(
                "live-exceptions", () -> {
                    TestTopics.produce(WaybillTopic.SHIPMENT_EXCEPTIONS, s4, exceptionRecord(s4 + ":MISROUTED:1", s4, ExceptionType.MISROUTED,
                            ExceptionStatus.OPEN, hubB, null));
                    TestTopics.produce(WaybillTopic.SHIPMENT_EXCEPTIONS, s1, exceptionRecord(s1 + ":DWELL_EXCEEDED:1", s1, ExceptionType.DWELL_EXCEEDED,
                            ExceptionStatus.ACKNOWLEDGED, hubA, "console-planner"));
                },
                "live-shipment", () -> TestTopics.produce(WaybillTopic.SHIPMENT_STATE, s1, departed(s1)),
                "engines-down", () -> StubEngines.allDown = true,
                "engines-up", () -> StubEngines.allDown = false));

        // then every check of the script passed
        assertThat(script.exitCode).withFailMessage("console.test.mjs failed (exit %s); its output is above", script.exitCode).isZero();

        // and the planner's actions reached the commands topic, issued by the token's subject
        PlannerCommand ack = CommandsTopic.await(script.marks.get("ACKNOWLEDGED"));
        assertThat(ack.getIssuedBy()).isEqualTo("console-planner");
        assertThat(ack.getPayload()).isEqualTo(new AcknowledgeExceptionCommand(s1 + ":DWELL_EXCEEDED:1", null));
        PlannerCommand resolve = CommandsTopic.await(script.marks.get("RESOLVED"));
        assertThat(resolve.getPayload()).isEqualTo(new ResolveExceptionCommand(s3 + ":DAMAGED:1", "found it at the hub"));

        // and the filter went to the engines, and the admin's change to the facilities topic
        assertThat(StubEngines.REQUESTS).anyMatch(r -> r.startsWith("/internal/exceptions?") && r.contains("severity=CRITICAL"));
        TestTopics.await(WaybillTopic.FACILITIES, Facility.class, f -> f.getFacilityId().equals(dep3) && f.getStatus() == FacilityStatus.CLOSED);

        // and the screenshots are there and show something
        for (String name : List.of("exceptions.png", "shipment.png", "shipment-in-transit.png", "facilities.png")) {
            Path shot = SCREENSHOTS.resolve(name);
            assertThat(shot).exists();
            assertThat(Files.size(shot)).as(name + " size").isGreaterThan(10_000);
        }
    }

    @Test
    void the_console_is_static_needs_no_token_and_comes_with_a_content_security_policy() {
        given().redirects().follow(false).get("/console").then().statusCode(302).header("Location", endsWith("/console/"));
        given().get("/console/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'self'")).header("X-Content-Type-Options", "nosniff")
                .body(containsString("<script type=\"module\" src=\"app.js\">"));
        given().get("/console/app.js").then().statusCode(200).contentType(containsString("javascript"));
        // while the API it calls still wants a token
        given().get("/api/v1/exceptions").then().statusCode(401);
    }

    /** playwright-core from the lock file (npm ci), once; it drives the system's Chromium and downloads no browser. */
    private static void installPlaywrightCore() throws Exception {
        if (Files.exists(BROWSER_DIR.resolve("node_modules/playwright-core/package.json"))) return;
        Path log = Files.createDirectories(Path.of("target")).resolve("npm-ci.log");
        ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
                .directory(BROWSER_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        npm.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Process process;
        try {
            process = npm.start();
        } catch (IOException e) {
            throw new AssertionError("The console test needs node 20+ and npm on the PATH", e);
        }
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        if (!finished) process.destroyForcibly();
        if (!finished || process.exitValue() != 0) fail("npm ci in " + BROWSER_DIR + " failed:\n" + Files.readString(log));
    }

    record Script(int exitCode, Map<String, String> marks) {
    }

    /**
     * Runs console.test.mjs with a bounded time, copying its output to the test log. A line "WAITING step"
     * runs that step's action here and answers "DONE step"; "ACKNOWLEDGED id" and the like are kept as marks.
     */
    private static Script runScript(String config, Map<String, Runnable> steps) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("node", "console.test.mjs").directory(BROWSER_DIR.toFile()).redirectErrorStream(true);
        builder.environment().put("CONSOLE_TEST", config);
        Process node;
        try {
            node = builder.start();
        } catch (IOException e) {
            throw new AssertionError("The console test needs node 20+ on the PATH", e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        var watchdog = Executors.newSingleThreadScheduledExecutor();
        watchdog.schedule(() -> {
            timedOut.set(true);
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
        }, SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<String, String> marks = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        try (var out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
             var in = new PrintWriter(node.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("[console.test.mjs] " + line);
                String[] words = line.split(" ", 2);
                if (words[0].equals("WAITING")) {
                    Runnable action = steps.get(words[1]);
                    if (action == null) unknown.add(words[1]);
                    else action.run();
                    in.println("DONE " + words[1]);
                } else if (words.length == 2 && words[0].matches("[A-Z]+") && !words[0].equals("STEP") && !words[0].equals("FAILED")) {
                    marks.put(words[0], words[1]);
                }
            }
            node.waitFor(10, TimeUnit.SECONDS);
        } finally {
            watchdog.shutdownNow();
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
        }
        assertThat(timedOut).withFailMessage("console.test.mjs did not finish within %s", SCRIPT_TIMEOUT).isFalse();
        assertThat(unknown).as("steps the script asked for").isEmpty();
        return new Script(node.exitValue(), marks);
    }

    private void produceFacility(String id, String name, FacilityType type, double lat, double lon, FacilityStatus status) {
        TestTopics.produce(WaybillTopic.FACILITIES, id, Facility.newBuilder().setFacilityId(id).setName(name).setType(type).setRegion(region)
                .setTimeZone("Europe/Berlin").setLatitude(lat).setLongitude(lon).setStatus(status).setHourlyCapacity(4000)
                .setUpdatedAt(Instant.now()).build());
    }

    private static void load(String facility, int onHand, int expectedInbound, int openExceptions) {
        StubEngines.LOADS.put(facility, "{\"facilityId\":\"" + facility + "\",\"onHand\":" + onHand + ",\"expectedInbound\":" + expectedInbound
                + ",\"openExceptions\":" + openExceptions + ",\"unavailableInstances\":[]}");
    }

    /** An exception as the engine's ExceptionView names its fields. */
    private static Map<String, Object> exception(String id, String shipmentId, String type, String severity, String facility, Instant detectedAt) {
        Map<String, Object> e = new HashMap<>();
        e.put("exceptionId", id);
        e.put("shipmentId", shipmentId);
        e.put("type", type);
        e.put("severity", severity);
        e.put("status", "OPEN");
        e.put("facilityId", facility);
        e.put("detectedAt", detectedAt.toString());
        e.put("updatedAt", detectedAt.toString());
        e.put("cause", type.toLowerCase().replace('_', ' ') + " at " + facility);
        e.put("occurrences", 2);
        e.put("escalationLevel", 1);
        return e;
    }

    private Map<String, Object> leg(String lane, String from, String to, int departsInHours) {
        return Map.of("laneId", lane, "fromFacilityId", from, "toFacilityId", to, "carrier", "test-carrier", "mode", "ROAD",
                "plannedDeparture", now.plus(Duration.ofHours(departsInHours)).toString(),
                "plannedArrival", now.plus(Duration.ofHours(departsInHours + 3)).toString());
    }

    /** The shipment as the engine's ShipmentView names its fields: at the first hub of its plan, next leg 1. */
    private Map<String, Object> shipment(String id, List<Map<String, Object>> exceptions) {
        Map<String, Object> s = new HashMap<>();
        s.put("shipmentId", id);
        s.put("status", "AT_FACILITY");
        s.put("origin", dep1);
        s.put("destination", dep2);
        s.put("serviceLevel", "EXPRESS");
        s.put("currentFacilityId", hubA);
        s.put("lastFacilityId", hubA);
        s.put("promisedDeliveryAt", now.plus(Duration.ofHours(8)).toString());
        s.put("eta", now.plus(Duration.ofHours(9)).toString());
        s.put("slaStatus", "AT_RISK");
        s.put("routeStatus", "PLANNED");
        s.put("workflowName", "express");
        s.put("workflowVersion", 1);
        s.put("updatedAt", now.toString());
        s.put("nextLegIndex", 1);
        s.put("routePlan", Map.of("planId", id + "#1", "revision", 1, "fromFacilityId", dep1, "toFacilityId", dep2, "legs", List.of(
                leg("L-1", dep1, hubA, -4), leg("L-2", hubA, hubB, 1), leg("L-3", hubB, dep2, 5))));
        s.put("exceptions", exceptions);
        return s;
    }

    private static Map<String, Object> entry(String type, String facility, Instant at, String outcome) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", UUID.randomUUID().toString());
        e.put("kind", "EVENT");
        e.put("type", type);
        e.put("occurredAt", at.toString());
        e.put("receivedAt", at.toString());
        e.put("outcome", outcome);
        e.put("source", "console-test");
        e.put("facilityId", facility);
        return e;
    }

    /** The shipment after departing the hub on leg 2 of its plan, as the engine writes it to the state topic. */
    private ShipmentState departed(String id) {
        List<RouteLeg> legs = List.of(routeLeg("L-1", dep1, hubA, -4), routeLeg("L-2", hubA, hubB, 1), routeLeg("L-3", hubB, dep2, 5));
        return ShipmentState.newBuilder().setShipmentId(id).setStatus(ShipmentStatus.IN_TRANSIT).setOrigin(dep1).setDestination(dep2)
                .setLastFacilityId(hubA).setLastLaneId("L-2").setUpdatedAt(Instant.now()).setEventsApplied(4).setSlaStatus(SlaStatus.ON_TIME)
                .setEta(now.plus(Duration.ofHours(8))).setNextLegIndex(1).setRouteStatus(RouteStatus.PLANNED)
                .setServiceLevel(ServiceLevel.EXPRESS).setPromisedDeliveryAt(now.plus(Duration.ofHours(8))).setWorkflowName("express").setWorkflowVersion(1)
                .setRoutePlan(RoutePlan.newBuilder().setPlanId(id + "#1").setRevision(1).setPlannedAt(now).setReason("BOOKED")
                        .setFromFacilityId(dep1).setToFacilityId(dep2).setArrivalAtDestination(now.plus(Duration.ofHours(8))).setLegs(legs).build())
                .build();
    }

    private RouteLeg routeLeg(String lane, String from, String to, int departsInHours) {
        return RouteLeg.newBuilder().setLaneId(lane).setFromFacilityId(from).setToFacilityId(to).setCarrier("test-carrier")
                .setMode(TransportMode.ROAD).setPlannedDeparture(now.plus(Duration.ofHours(departsInHours)))
                .setPlannedArrival(now.plus(Duration.ofHours(departsInHours + 3))).build();
    }

    private static ShipmentException exceptionRecord(String id, String shipmentId, ExceptionType type, ExceptionStatus status, String facility,
                                                     String acknowledgedBy) {
        Instant at = Instant.now();
        var builder = ShipmentException.newBuilder().setExceptionId(id).setShipmentId(shipmentId).setType(type).setSeverity(Severity.MEDIUM)
                .setStatus(status).setFacilityId(facility).setDetectedAt(at.minus(Duration.ofMinutes(5))).setUpdatedAt(at)
                .setCause(type + " at " + facility);
        if (acknowledgedBy != null) builder.setAcknowledgedBy(acknowledgedBy).setAcknowledgedAt(at);
        return builder.build();
    }
}
