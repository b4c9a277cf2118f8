package io.waybill.engine;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;

import java.util.List;

/** The engine API's service token in tests (the %test profile's), sent by every REST Assured call of a test class that asks. */
final class ServiceToken {

    static final String TEST_TOKEN = "engine-test-token-not-a-secret-0123456789";

    /**
     * Every REST Assured request from now on carries the token, as the planner-api's calls do. A filter,
     * not a request specification: a specification keeps the port of when it was built, and Quarkus
     * sets the test port per test.
     */
    static void sendWithEveryRequest() {
        Filter token = (request, response, context) -> {
            request.header("Authorization", "Bearer " + TEST_TOKEN);
            return context.next(request, response);
        };
        RestAssured.replaceFiltersWith(List.of(token));
    }

    /** Requests from now on carry no token. */
    static void sendNone() {
        RestAssured.replaceFiltersWith(List.of());
    }

    private ServiceToken() {
    }
}
