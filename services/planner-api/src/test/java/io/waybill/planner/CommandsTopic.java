package io.waybill.planner;

import io.waybill.contract.PlannerCommand;
import io.waybill.contract.WaybillTopic;

/** Reads the commands topic of the test cluster. */
final class CommandsTopic {

    /** The command with this id, checked to be keyed by its shipment. */
    static PlannerCommand await(String commandId) {
        var record = TestTopics.await(WaybillTopic.PLANNER_COMMANDS, PlannerCommand.class, c -> c.getCommandId().equals(commandId));
        if (!record.key().equals(record.value().getShipmentId())) throw new AssertionError("command keyed by " + record.key());
        return record.value();
    }

    private CommandsTopic() {
    }
}
