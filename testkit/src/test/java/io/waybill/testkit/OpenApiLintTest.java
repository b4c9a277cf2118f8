package io.waybill.testkit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The lint the services' OpenAPI tests rely on finds what a client generator trips over, and passes a clean document. */
class OpenApiLintTest {

    @Test
    void a_document_without_servers_operation_ids_or_security_fails_with_each_named() throws Exception {
        // given an operation without an operationId, no servers and no security anywhere
        String document = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1", "description": "d"},
                 "paths": {"/a": {"get": {"summary": "s", "responses": {"200": {"description": "ok"}}}}}}""";

        // when it is linted, then every gap is a problem with its rule
        assertThat(OpenApiLint.problems(document))
                .anyMatch(p -> p.contains("no-empty-servers"))
                .anyMatch(p -> p.contains("operation-operationId"))
                .anyMatch(p -> p.contains("security-defined"));
    }

    @Test
    void a_complete_document_has_no_problems() throws Exception {
        // given servers, an operationId, a 4xx response and a security scheme that the operation uses
        String document = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1", "description": "d"},
                 "servers": [{"url": "/"}],
                 "tags": [{"name": "things", "description": "Things"}],
                 "paths": {"/a": {"get": {"operationId": "getA", "summary": "s", "tags": ["things"], "security": [{"key": []}],
                   "responses": {"200": {"description": "ok"}, "401": {"description": "no key"}}}}},
                 "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}}}""";

        // when it is linted, then nothing is reported
        assertThat(OpenApiLint.problems(document)).isEmpty();
    }
}
