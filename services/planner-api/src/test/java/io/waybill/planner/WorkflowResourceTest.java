package io.waybill.planner;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.workflow.BuiltInWorkflows;
import io.waybill.topology.workflow.WorkflowDefinitions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

/** Publishing workflow versions through the API and reading them back from the workflows topic. */
@QuarkusTest
@QuarkusTestResource(StubEngines.class)
@QuarkusTestResource(WaybillTestResource.class)
class WorkflowResourceTest {

    /** A workflow name of this test, so versions start at 1 on a shared cluster. */
    private final String name = "wf-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void a_valid_definition_is_published_as_name_at_version_and_read_back() {
        // when an admin publishes version 1
        Api.asAdmin().contentType(ContentType.JSON).body(definition(name, 1)).put("/api/v1/workflows/" + name)
                .then().statusCode(202).body("key", equalTo(name + "@1")).body("publishedBy", equalTo("test-admin"));

        // then it is on the workflows topic under name@version, as the validator's canonical JSON
        var published = TestTopics.await(WaybillTopic.WORKFLOWS, WorkflowDefinition.class, w -> w.getName().equals(name));
        assertThat(published.key()).isEqualTo(name + "@1");
        assertThat(published.value().getPublishedBy()).isEqualTo("test-admin");

        // and the API serves it with its definition as JSON
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.asViewer().get("/api/v1/workflows/" + name).then().statusCode(200)
                .body("version", equalTo(1)).body("definition.name", equalTo(name))
                .body("definition.transitions.size()", greaterThanOrEqualTo(1)).body("versions", contains(1)));
    }

    @Test
    void versions_must_grow_and_the_list_shows_the_latest_unless_all_are_asked_for() {
        // given version 1
        Api.asAdmin().contentType(ContentType.JSON).body(definition(name, 1)).put("/api/v1/workflows/" + name).then().statusCode(202);

        // when it is published again, then that is a conflict
        Api.asAdmin().contentType(ContentType.JSON).body(definition(name, 1)).put("/api/v1/workflows/" + name)
                .then().statusCode(409).body("error", containsString("not greater"));

        // when version 2 follows (as YAML), then both versions are kept and the latest is 2
        Api.asAdmin().config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT)))
                .contentType("application/yaml").body(definitionAsYaml(name, 2)).put("/api/v1/workflows/" + name).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.asViewer().get("/api/v1/workflows").then().statusCode(200)
                .body("items.findAll { it.name == '" + name + "' }.version", contains(2)));
        Api.asViewer().queryParam("all", true).get("/api/v1/workflows").then().statusCode(200)
                .body("items.findAll { it.name == '" + name + "' }.version", contains(1, 2));
        Api.asViewer().queryParam("version", 1).get("/api/v1/workflows/" + name).then().statusCode(200).body("version", equalTo(1));
    }

    @Test
    void an_invalid_definition_is_400_listing_every_problem_and_nothing_is_published() {
        // given a definition with a transition from an unknown status on an unknown event
        String invalid = definition(name, 1).replaceFirst("\"transitions\":\\[", "\"transitions\":[{\"from\":[\"LOST\"],\"on\":\"TELEPORTED\",\"to\":\"DELIVERED\"},");

        // then every problem is named
        Api.asAdmin().contentType(ContentType.JSON).body(invalid).put("/api/v1/workflows/" + name).then().statusCode(400)
                .body("problems", hasItem(containsString("'LOST' is not a status")))
                .body("problems", hasItem(containsString("'TELEPORTED'")));

        // and a name other than the path's, or something unreadable, is refused too
        Api.asAdmin().contentType(ContentType.JSON).body(definition(name, 1)).put("/api/v1/workflows/other-name").then().statusCode(400)
                .body("problems", hasItem(containsString("must be the name in the path")));
        Api.asAdmin().contentType(ContentType.JSON).body("{\"name\": ").put("/api/v1/workflows/" + name).then().statusCode(400)
                .body("problems", hasSize(1));
        Api.asViewer().get("/api/v1/workflows/" + name).then().statusCode(404);
    }

    /** The built-in standard workflow under another name and version, as JSON. */
    static String definition(String name, int version) {
        WorkflowDefinitions.Document d = BuiltInWorkflows.documents().stream()
                .filter(w -> w.name.equals(BuiltInWorkflows.DEFAULT)).findFirst().orElseThrow();
        d.name = name;
        d.version = version;
        return WorkflowDefinitions.toJson(d);
    }

    /** The same as YAML (JSON is YAML, but a real YAML document shows the content type works). */
    static String definitionAsYaml(String name, int version) {
        try {
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(definition(name, version));
            return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).writeValueAsString(tree);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
