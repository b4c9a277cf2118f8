package io.waybill.topology.shipment;

import io.waybill.contract.CancelCommand;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.RerouteCommand;
import io.waybill.contract.UpdatePromiseCommand;

import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.contract.StartReturnCommand;

import java.util.Map;

/** The public names of planner command types for the Avro payload classes. */
public final class CommandTypes {

    private static final Map<Class<?>, String> NAMES = Map.of(
            RerouteCommand.class, "REROUTE",
            HoldCommand.class, "HOLD",
            ReleaseCommand.class, "RELEASE",
            CancelCommand.class, "CANCEL",
            UpdatePromiseCommand.class, "UPDATE_PROMISE",
            StartReturnCommand.class, "RETURN_TO_SENDER",
            AcknowledgeExceptionCommand.class, "ACKNOWLEDGE_EXCEPTION",
            ResolveExceptionCommand.class, "RESOLVE_EXCEPTION",
            SnoozeExceptionCommand.class, "SNOOZE_EXCEPTION");

    /**
     * The workflow step a return takes: workflows that allow returns declare a transition on it
     * (it is not an event a warehouse reports, so it is not among {@link EventTypes#all()}).
     */
    public static final String RETURN_STARTED = "RETURN_STARTED";

    /** Commands about a shipment's exceptions: they change the exception, never the shipment's state. */
    public static boolean isExceptionCommand(Object payload) {
        return payload instanceof AcknowledgeExceptionCommand || payload instanceof ResolveExceptionCommand
                || payload instanceof SnoozeExceptionCommand;
    }

    private CommandTypes() {
    }

    public static String of(Object payload) {
        return NAMES.getOrDefault(payload.getClass(), payload.getClass().getSimpleName());
    }
}
