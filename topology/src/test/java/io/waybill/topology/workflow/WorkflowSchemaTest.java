package io.waybill.topology.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The published schema (docs/workflow-definition.schema.json) describes what the engine accepts. */
class WorkflowSchemaTest {

    private static final Path DOCS = Path.of(System.getProperty("waybill.docs", "../docs"));
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    private JsonSchema schema() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Files.readString(DOCS.resolve("workflow-definition.schema.json")));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
    }

    @Test
    void every_built_in_workflow_is_valid_against_the_published_schema() throws Exception {
        JsonSchema schema = schema();
        for (String file : BuiltInWorkflows.FILES) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("waybill/workflows/" + file + ".yaml")) {
                assertThat(schema.validate(yaml.readTree(in))).as(file).isEmpty();
            }
        }
    }

    @Test
    void the_schema_rejects_what_the_engine_rejects() throws Exception {
        JsonNode bad = yaml.readTree("""
                name: Bad
                version: 0
                transitions:
                  - {from: [DELIVERED], on: TELEPORTED, to: NOWHERE}
                """);
        assertThat(schema().validate(bad)).hasSizeGreaterThanOrEqualTo(4);
    }
}
