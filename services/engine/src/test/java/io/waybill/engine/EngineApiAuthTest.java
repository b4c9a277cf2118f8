package io.waybill.engine;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** The engine's internal API on a real cluster answers only callers with a service token. */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class EngineApiAuthTest {

    @BeforeEach
    void noTokenByDefault() {
        ServiceToken.sendNone(); // other test classes in this JVM send the token with every call
    }

    @ParameterizedTest
    @ValueSource(strings = {"/internal/shipments/S-1", "/internal/shipments/S-1/history", "/internal/shipments/S-1?forwarded=true",
            "/internal/shipments?status=IN_TRANSIT", "/internal/exceptions", "/internal/exceptions/counts",
            "/internal/facilities/BER-HUB/load"})
    void a_call_without_a_token_is_refused_with_401(String path) {
        // given no Authorization header, when any internal endpoint is asked, then 401 and a challenge
        given().get(path).then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"waybill-engine\""))
                .body("error", containsString("service token"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer not-the-engine-token-but-long-enough", "Bearer " + ServiceToken.TEST_TOKEN + "x",
            "Basic " + ServiceToken.TEST_TOKEN, ServiceToken.TEST_TOKEN, "Bearer "})
    void a_call_with_a_wrong_token_is_refused_with_401(String authorization) {
        given().header("Authorization", authorization).get("/internal/shipments/S-1").then().statusCode(401);
    }

    @Test
    void a_planner_user_token_is_not_a_service_token() {
        // given a well-formed JWT, as a planner's browser holds (the engine trusts no user token)
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZXYtYWRtaW4iLCJncm91cHMiOlsiYWRtaW4iXX0.c2lnbmF0dXJl";
        given().header("Authorization", "Bearer " + jwt).get("/internal/exceptions").then().statusCode(401);
    }

    @Test
    void a_call_with_the_token_is_answered() {
        // given the token the planner-api sends, when an unknown shipment is asked, then the engine answers (404 once
        // its stores are open, 503 while they restore), not 401
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().header("Authorization", "Bearer " + ServiceToken.TEST_TOKEN).get("/internal/shipments/{id}", "NO-SUCH-SHIPMENT")
                        .then().statusCode(404));
        given().header("Authorization", "bearer " + ServiceToken.TEST_TOKEN).get("/internal/exceptions/counts")
                .then().statusCode(200);
    }

    @Test
    void probes_and_metrics_stay_open_and_show_no_shipment() {
        // kubelet probes and Prometheus scrape without a token
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(not(containsString("NO-SUCH-SHIPMENT")));
    }

    @Test
    void the_openapi_document_says_every_operation_needs_the_service_token() {
        // given the engine's own OpenAPI document (open, like the probes)
        var document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();

        // then it declares the bearer scheme, and every operation requires it
        org.assertj.core.api.Assertions.assertThat(document.getString("components.securitySchemes.serviceToken.type")).isEqualTo("http");
        org.assertj.core.api.Assertions.assertThat(document.getString("components.securitySchemes.serviceToken.scheme")).isEqualTo("bearer");
        java.util.Map<String, java.util.Map<String, Object>> paths = document.getMap("paths");
        org.assertj.core.api.Assertions.assertThat(paths).isNotEmpty();
        paths.forEach((path, item) -> item.forEach((method, operation) -> {
            if (!java.util.Set.of("get", "put", "post", "delete", "patch").contains(method)) return; // path-level parameters
            org.assertj.core.api.Assertions.assertThat(((java.util.Map<?, ?>) operation).get("security")).as("%s %s", method, path)
                    .isEqualTo(java.util.List.of(java.util.Map.of("serviceToken", java.util.List.of())));
        }));
    }
}
