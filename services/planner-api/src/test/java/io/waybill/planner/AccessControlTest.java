package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.planner.auth.Roles;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.workflow.BuiltInWorkflows;
import io.waybill.topology.workflow.WorkflowDefinitions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Who may call what: every endpoint under /api/v1 with no token, a forged one, an expired one and
 * a token of each role. The least role an endpoint needs admits every higher role.
 */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class AccessControlTest {

    /** A workflow name of this run, so its versions start at 1 whatever ran before on the cluster. */
    static final String WORKFLOW = "acl-" + UUID.randomUUID().toString().substring(0, 8);
    static final String EXCEPTION = "ACL-1:MISSED_SCAN:1";
    private static boolean networkPublished;

    /** One endpoint: how to call it, the least role it needs and what it answers when allowed. */
    record Call(String method, String path, Supplier<String> body, String leastRole, int allowed) {
        @Override
        public String toString() {
            return method + " " + path + " (" + leastRole + ")";
        }
    }

    static List<Call> calls() {
        return List.of(
                new Call("GET", "/api/v1/shipments/ACL-1", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/shipments/ACL-1/history", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/shipments?status=AT_FACILITY", null, Roles.VIEWER, 200),
                new Call("POST", "/api/v1/shipments/ACL-1/commands", () -> "{\"type\":\"HOLD\",\"reason\":\"acl\"}", Roles.PLANNER, 202),
                new Call("GET", "/api/v1/exceptions", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/exceptions/counts", null, Roles.VIEWER, 200),
                new Call("POST", "/api/v1/exceptions/" + EXCEPTION + "/acknowledge", () -> "{}", Roles.PLANNER, 202),
                new Call("POST", "/api/v1/exceptions/" + EXCEPTION + "/resolve", () -> "{\"note\":\"found it\"}", Roles.PLANNER, 202),
                new Call("POST", "/api/v1/exceptions/" + EXCEPTION + "/snooze",
                        () -> "{\"until\":\"" + Instant.now().plus(Duration.ofHours(2)) + "\"}", Roles.PLANNER, 202),
                new Call("GET", "/api/v1/facilities", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/facilities/ACL-HUB", null, Roles.VIEWER, 200),
                new Call("PUT", "/api/v1/facilities/ACL-HUB/status", () -> "{\"status\":\"CONGESTED\",\"reason\":\"acl\"}", Roles.ADMIN, 202),
                new Call("GET", "/api/v1/lanes", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/lanes/ACL-LANE", null, Roles.VIEWER, 200),
                new Call("PUT", "/api/v1/lanes/ACL-LANE", () -> "{\"disrupted\":false}", Roles.ADMIN, 202),
                new Call("GET", "/api/v1/workflows", null, Roles.VIEWER, 200),
                new Call("GET", "/api/v1/workflows/" + WORKFLOW, null, Roles.VIEWER, 200),
                new Call("PUT", "/api/v1/workflows/" + WORKFLOW, () -> workflow(2), Roles.ADMIN, 202));
    }

    @BeforeEach
    void given_a_shipment_with_an_open_exception_and_a_small_network() {
        StubEngines.SHIPMENTS.put("ACL-1", "{\"shipmentId\":\"ACL-1\",\"status\":\"AT_FACILITY\",\"exceptions\":[{\"exceptionId\":\""
                + EXCEPTION + "\",\"status\":\"OPEN\"}]}");
        StubEngines.HISTORIES.put("ACL-1", "{\"shipmentId\":\"ACL-1\",\"entries\":[]}");
        if (!networkPublished) {
            Instant now = Instant.now();
            TestTopics.produce(WaybillTopic.FACILITIES, "ACL-HUB", Facility.newBuilder().setFacilityId("ACL-HUB").setName("ACL hub")
                    .setType(FacilityType.HUB).setRegion("ACL").setTimeZone("Europe/Berlin").setLatitude(52.5).setLongitude(13.4)
                    .setStatus(FacilityStatus.OPEN).setHourlyCapacity(1000).setUpdatedAt(now).build());
            TestTopics.produce(WaybillTopic.LANES, "ACL-LANE", Lane.newBuilder().setLaneId("ACL-LANE").setFromFacilityId("ACL-HUB")
                    .setToFacilityId("ACL-DEP").setCarrier("acl-carrier").setMode(TransportMode.ROAD).setTransitMinutes(90)
                    .setDailyCapacity(500).setCost(12.5).setUpdatedAt(now).build());
            TestTopics.produce(WaybillTopic.WORKFLOWS, WORKFLOW + "@1", new WorkflowDefinition(WORKFLOW, 1, workflow(1), now, "acl-test"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Api.asViewer().get("/api/v1/workflows/" + WORKFLOW).statusCode() == 200
                    && Api.asViewer().get("/api/v1/lanes/ACL-LANE").statusCode() == 200
                    && Api.asViewer().get("/api/v1/facilities/ACL-HUB").statusCode() == 200);
            networkPublished = true;
        }
    }

    @AfterEach
    void reset() {
        StubEngines.reset();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void each_endpoint_admits_its_least_role_and_every_higher_one(Call call) {
        // without a token, with a forged or an expired one: 401, and the client is told to bring a bearer token
        send(given(), call).then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        send(given().auth().oauth2(TestTokens.badSignature(Roles.ADMIN)), call).then().statusCode(401);
        send(given().auth().oauth2(TestTokens.expired(Roles.ADMIN)), call).then().statusCode(401);

        // with each role: allowed from the least role up, 403 below it
        int least = Roles.ORDER.indexOf(call.leastRole());
        for (String role : Roles.ORDER) {
            int expected = Roles.ORDER.indexOf(role) >= least ? call.allowed() : 403;
            int status = send(Api.as(role), call).then().extract().statusCode();
            assertThat(status).as("%s as %s", call, role).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openPaths")
    void health_metrics_and_openapi_need_no_token(String path) {
        given().get(path).then().statusCode(200);
    }

    static List<String> openPaths() {
        return List.of("/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi");
    }

    @jakarta.inject.Inject
    io.smallrye.jwt.auth.principal.JWTParser jwtParser;

    @org.junit.jupiter.api.Test
    void a_token_with_the_claims_of_an_accepted_one_but_signed_with_another_key_is_refused() throws Exception {
        // given the request path's parser caches verified tokens, and an admin token it just accepted
        assertThat(jwtParser).isInstanceOf(io.waybill.planner.auth.CachingJwtParser.class);
        String accepted = TestTokens.forRole(Roles.ADMIN, "cache-check");
        given().auth().oauth2(accepted).get("/api/v1/lanes").then().statusCode(200);

        // when the same claims come signed with a key the service does not trust
        var generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = io.smallrye.jwt.build.Jwt.subject("cache-check").upn("cache-check").groups(java.util.Set.of(Roles.ADMIN))
                .issuer(TestTokens.ISSUER).expiresIn(java.time.Duration.ofHours(1)).sign(generator.generateKeyPair().getPrivate());

        // then they are refused, every time, while the accepted token still works
        given().auth().oauth2(forged).get("/api/v1/lanes").then().statusCode(401);
        given().auth().oauth2(forged).get("/api/v1/lanes").then().statusCode(401);
        given().auth().oauth2(accepted).get("/api/v1/lanes").then().statusCode(200);
    }

    private static io.restassured.response.Response send(RequestSpecification request, Call call) {
        if (call.body() != null) request = request.contentType(ContentType.JSON).body(call.body().get());
        return request.request(call.method(), call.path());
    }

    /** The built-in standard workflow under this run's name, as JSON. */
    static String workflow(int version) {
        WorkflowDefinitions.Document d = BuiltInWorkflows.documents().stream()
                .filter(w -> w.name.equals(BuiltInWorkflows.DEFAULT)).findFirst().orElseThrow();
        d.name = WORKFLOW;
        d.version = version;
        return WorkflowDefinitions.toJson(d);
    }

}
