package io.waybill.planner.network;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Before the view has caught up with the topics, the network and workflow endpoints say 503 with Retry-After. */
class NotLoadedTest {

    @Test
    void every_read_and_change_is_503_until_the_view_is_loaded() {
        // given a view that has not read its topics yet
        NetworkView view = new NetworkView();
        FacilityResource facilities = new FacilityResource();
        facilities.view = view;
        LaneResource lanes = new LaneResource();
        lanes.view = view;
        WorkflowResource workflows = new WorkflowResource();
        workflows.view = view;

        // then
        assertNotLoaded(facilities.list(null, null, null));
        assertNotLoaded(facilities.facility("BER-HUB"));
        assertNotLoaded(facilities.changeStatus("BER-HUB", new FacilityResource.StatusChange("CLOSED", "storm")));
        assertNotLoaded(lanes.list(null, null));
        assertNotLoaded(lanes.lane("L-1"));
        assertNotLoaded(lanes.change("L-1", new LaneResource.LaneChange(true, "flood")));
        assertNotLoaded(workflows.list(false));
        assertNotLoaded(workflows.workflow("express", null));
    }

    private static void assertNotLoaded(Response response) {
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isNotBlank();
    }
}
