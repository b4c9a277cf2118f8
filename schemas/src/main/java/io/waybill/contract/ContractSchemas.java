package io.waybill.contract;

import org.apache.avro.Schema;

import java.util.List;

/** The top-level schemas of the contract: each is a registry subject and has a released baseline. */
public final class ContractSchemas {

    private ContractSchemas() {
    }

    public static List<Schema> all() {
        return List.of(
                ShipmentEvent.getClassSchema(),
                PlannerCommand.getClassSchema(),
                Facility.getClassSchema(),
                Lane.getClassSchema(),
                WorkflowDefinition.getClassSchema(),
                ShipmentState.getClassSchema(),
                RoutingInstruction.getClassSchema(),
                ShipmentException.getClassSchema(),
                DeadLetter.getClassSchema(),
                ShipmentHistory.getClassSchema(),
                Notification.getClassSchema());
    }
}
