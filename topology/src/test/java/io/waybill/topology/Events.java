package io.waybill.topology;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Delivered;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Test events for one shipment, each with a fresh eventId. */
public final class Events {

    private final String shipmentId;
    private Instant clock;

    public Events(String shipmentId, Instant start) {
        this.shipmentId = shipmentId;
        this.clock = start;
    }

    public ShipmentEvent created(String origin, String destination) {
        return event(ShipmentCreated.newBuilder()
                .setOrigin(origin).setDestination(destination)
                .setServiceLevel(ServiceLevel.STANDARD)
                .setPromisedDeliveryAt(clock.plusSeconds(3 * 86400))
                .setWeightKg(2.5)
                .setHandling(List.of(HandlingFlag.FRAGILE))
                .build());
    }

    public ShipmentEvent arrived(String facility) {
        return event(new ArrivedAtFacility(facility));
    }

    public ShipmentEvent departed(String facility, String lane) {
        return event(new DepartedFacility(facility, lane));
    }

    public ShipmentEvent outForDelivery(String facility) {
        return event(new OutForDelivery(facility, null));
    }

    public ShipmentEvent delivered(String receivedBy) {
        return event(new Delivered(receivedBy, null));
    }

    public ShipmentEvent held(String reason) {
        return event(new Held(reason));
    }

    public ShipmentEvent released() {
        return event(new Released(null));
    }

    public ShipmentEvent cancelled(String reason) {
        return event(new Cancelled(reason));
    }

    public ShipmentEvent damaged(String facility) {
        return event(new io.waybill.contract.Damaged(facility, "wet"));
    }

    public ShipmentEvent coldChainCreated(String origin, String destination) {
        ShipmentEvent e = created(origin, destination);
        ((ShipmentCreated) e.getPayload()).setHandling(List.of(HandlingFlag.COLD_CHAIN));
        return e;
    }

    public ShipmentEvent deliveryFailed(String reason) {
        return event(new io.waybill.contract.DeliveryAttemptFailed(reason));
    }

    /** A booking with a given promise (null: none). */
    public ShipmentEvent created(String origin, String destination, Instant promise) {
        ShipmentEvent e = created(origin, destination);
        ((ShipmentCreated) e.getPayload()).setPromisedDeliveryAt(promise);
        return e;
    }

    /** Moves this shipment's clock: the next event happens {@code minutes} after the previous one (instead of 10). */
    public Events after(long minutes) {
        clock = clock.plusSeconds(60 * minutes - 600);
        return this;
    }

    public Instant clock() {
        return clock;
    }

    /** The same event, as a scanner would resend it. */
    public static ShipmentEvent resend(ShipmentEvent e) {
        return ShipmentEvent.newBuilder(e).setRecordedAt(e.getRecordedAt().plusSeconds(30)).build();
    }

    private ShipmentEvent event(Object payload) {
        clock = clock.plusSeconds(600);
        return ShipmentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setShipmentId(shipmentId)
                .setOccurredAt(clock)
                .setRecordedAt(clock.plusSeconds(1))
                .setSource("test")
                .setPayload(payload)
                .build();
    }
}
