package io.waybill.planner;

import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

/** REST Assured requests with a token of a role. */
final class Api {

    private Api() {
    }

    static RequestSpecification as(String role) {
        return given().auth().oauth2(TestTokens.forRole(role));
    }

    static RequestSpecification asViewer() {
        return as("viewer");
    }

    static RequestSpecification asPlanner() {
        return as("planner");
    }

    static RequestSpecification asAdmin() {
        return as("admin");
    }
}
