package io.waybill.topology.workflow;

import io.waybill.contract.HandlingFlag;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkflowDefinitionsTest {

    @Test
    void every_built_in_workflow_is_valid() {
        assertThat(BuiltInWorkflows.all()).extracting(Workflow::name)
                .containsExactlyInAnyOrder("standard-parcel", "express", "cold-chain", "hazmat", "return-to-sender");
        assertThat(BuiltInWorkflows.all()).allSatisfy(w -> assertThat(w.maxDurations()).isNotEmpty());
    }

    @Test
    void a_valid_definition_round_trips_through_its_published_json() throws Exception {
        var doc = BuiltInWorkflows.documents().get(0);
        Workflow fromJson = WorkflowDefinitions.parse(WorkflowDefinitions.toJson(doc));
        assertThat(fromJson).isEqualTo(WorkflowDefinitions.parse(doc));
        assertThat(fromJson.maxDurations().get(ShipmentStatus.AT_FACILITY)).isEqualTo(Duration.ofHours(24));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "STANDARD | | standard-parcel",
            "EXPRESS | | express",
            "SAME_DAY | | express",
            "EXPRESS | COLD_CHAIN | cold-chain",
            "STANDARD | HAZMAT | hazmat",
            "ECONOMY | FRAGILE | standard-parcel"})
    void the_most_specific_matching_workflow_is_selected(ServiceLevel level, HandlingFlag flag, String expected) {
        List<HandlingFlag> handling = flag == null ? List.of() : List.of(flag);
        assertThat(WorkflowCatalog.builtIn().select(level, handling, null).name()).isEqualTo(expected);
    }

    @Test
    void return_to_sender_is_never_chosen_at_booking() {
        assertThat(BuiltInWorkflows.all()).filteredOn(w -> w.name().equals("return-to-sender"))
                .singleElement().satisfies(w -> assertThat(w.selector().manualOnly()).isTrue());
    }

    @Test
    void an_invalid_definition_is_rejected_with_every_problem_named() {
        String yaml = """
                name: Bad Name
                version: 0
                milestones: [A]
                transitions:
                  - {from: [BOOKED], on: TELEPORTED, to: AT_FACILITY}
                  - {from: [DELIVERED], on: ARRIVED_AT_FACILITY, to: AT_FACILITY}
                  - {from: [BOOKED], on: DEPARTED_FACILITY, to: NOWHERE, milestone: B}
                maxDurations: {AT_FACILITY: "twelve hours"}
                exceptions:
                  - {on: DAMAGED, raise: ON_FIRE, severity: HIGH}
                """;
        assertThatThrownBy(() -> WorkflowDefinitions.parse(yaml))
                .isInstanceOf(WorkflowDefinitions.InvalidWorkflowException.class)
                .satisfies(e -> assertThat(((WorkflowDefinitions.InvalidWorkflowException) e).problems()).anySatisfy(p -> assertThat(p).contains("name must be"))
                        .anySatisfy(p -> assertThat(p).contains("version must be a positive integer"))
                        .anySatisfy(p -> assertThat(p).contains("'TELEPORTED' is not an event type"))
                        .anySatisfy(p -> assertThat(p).contains("DELIVERED is final"))
                        .anySatisfy(p -> assertThat(p).contains("'NOWHERE' must be a status"))
                        .anySatisfy(p -> assertThat(p).contains("'B' is not declared in milestones"))
                        .anySatisfy(p -> assertThat(p).contains("not an ISO-8601 duration"))
                        .anySatisfy(p -> assertThat(p).contains("'ON_FIRE' is not one of")));
    }

    @Test
    void a_definition_with_a_dead_end_or_no_way_to_finish_is_rejected() {
        String yaml = """
                name: circles
                version: 1
                transitions:
                  - {from: [BOOKED], on: ARRIVED_AT_FACILITY, to: AT_FACILITY}
                  - {from: [AT_FACILITY], on: ARRIVED_AT_FACILITY, to: AT_FACILITY}
                  - {from: [OUT_FOR_DELIVERY], on: DELIVERED, to: AT_FACILITY}
                """;
        assertThatThrownBy(() -> WorkflowDefinitions.parse(yaml))
                .hasMessageContaining("OUT_FOR_DELIVERY is never reached")
                .hasMessageContaining("no transition reaches a final status");
    }

    @Test
    void two_transitions_for_the_same_step_are_rejected() {
        String yaml = """
                name: twice
                version: 1
                transitions:
                  - {from: [BOOKED], on: DELIVERED, to: DELIVERED}
                  - {from: [BOOKED], on: DELIVERED, to: CANCELLED}
                """;
        assertThatThrownBy(() -> WorkflowDefinitions.parse(yaml)).hasMessageContaining("a transition from BOOKED on DELIVERED is already declared");
    }

    @Test
    void unreadable_text_is_rejected_with_the_parser_message() {
        assertThatThrownBy(() -> WorkflowDefinitions.parse("name: [unclosed")).isInstanceOf(WorkflowDefinitions.InvalidWorkflowException.class);
        assertThatThrownBy(() -> WorkflowDefinitions.parse("name: x\nversion: 1\ncolour: red\n")).hasMessageContaining("colour");
    }
}
