package io.waybill.topology.shipment;

import io.waybill.contract.CancelCommand;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.RerouteCommand;
import io.waybill.contract.UpdatePromiseCommand;

import java.util.Map;

/** The public names of planner command types for the Avro payload classes. */
public final class CommandTypes {

    private static final Map<Class<?>, String> NAMES = Map.of(
            RerouteCommand.class, "REROUTE",
            HoldCommand.class, "HOLD",
            ReleaseCommand.class, "RELEASE",
            CancelCommand.class, "CANCEL",
            UpdatePromiseCommand.class, "UPDATE_PROMISE");

    private CommandTypes() {
    }

    public static String of(Object payload) {
        return NAMES.getOrDefault(payload.getClass(), payload.getClass().getSimpleName());
    }
}
