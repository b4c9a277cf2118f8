package io.waybill.topology.shipment;

import io.waybill.contract.AddressCorrected;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ShipmentCreated;

import java.util.Map;

/** The public names of event types (as in the gateway's JSON contract) for the Avro payload classes. */
public final class EventTypes {

    private static final Map<Class<?>, String> NAMES = Map.ofEntries(
            Map.entry(ShipmentCreated.class, "SHIPMENT_CREATED"),
            Map.entry(ArrivedAtFacility.class, "ARRIVED_AT_FACILITY"),
            Map.entry(DepartedFacility.class, "DEPARTED_FACILITY"),
            Map.entry(OutForDelivery.class, "OUT_FOR_DELIVERY"),
            Map.entry(Delivered.class, "DELIVERED"),
            Map.entry(DeliveryAttemptFailed.class, "DELIVERY_ATTEMPT_FAILED"),
            Map.entry(Damaged.class, "DAMAGED"),
            Map.entry(Held.class, "HELD"),
            Map.entry(Released.class, "RELEASED"),
            Map.entry(Cancelled.class, "CANCELLED"),
            Map.entry(AddressCorrected.class, "ADDRESS_CORRECTED"));

    private EventTypes() {
    }

    /** Every public event type name. */
    public static java.util.List<String> all() {
        return NAMES.values().stream().sorted().toList();
    }

    /** The facility an event happened at, if its type names one. */
    public static String facilityOf(Object payload) {
        if (payload instanceof ArrivedAtFacility a) return a.getFacilityId();
        if (payload instanceof DepartedFacility d) return d.getFacilityId();
        if (payload instanceof OutForDelivery o) return o.getFacilityId();
        if (payload instanceof Damaged d) return d.getFacilityId();
        return null;
    }

    public static String of(Object payload) {
        return NAMES.getOrDefault(payload.getClass(), payload.getClass().getSimpleName());
    }
}
