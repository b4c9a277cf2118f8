package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.testkit.OpenApiLint;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's OpenAPI document, as it serves it, is one a client generator can use: servers, an
 * operationId on every operation, security on every secured one, examples that fit their schemas
 * (Redocly's recommended rules, every warning a failure; see testkit/openapi-lint).
 */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class OpenApiDocumentTest {

    @Test
    void the_served_openapi_document_passes_the_lint() throws Exception {
        // given the document the running service serves
        String document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();

        // when it is linted, then nothing is reported
        assertThat(OpenApiLint.problems(document)).isEmpty();
    }
}
