package io.waybill.topology.shipment;

import io.waybill.contract.HistoryEntry;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.timer.ShipmentTimers;

import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * What the shipment processor asks of the domain: given a shipment's record and an input, the effects.
 * {@link ShipmentCore} is the implementation; the interface lets a test put a failing decision in
 * front of it, to prove that a decision that throws loses nothing.
 */
public interface ShipmentDecisions {

    /** Wraps the engine's decisions; {@link #AS_THEY_ARE} in production. */
    UnaryOperator<ShipmentDecisions> AS_THEY_ARE = d -> d;

    ShipmentCore.Effects onEntry(ShipmentCore.ShipmentRecord record, HistoryEntry entry, RoutingNetwork network, Instant now);

    ShipmentCore.Effects onTimer(ShipmentCore.ShipmentRecord record, ShipmentTimers.Due timer, RoutingNetwork network, Instant now);

    ShipmentCore.Effects onNetworkChange(ShipmentCore.ShipmentRecord record, String reason, RoutingNetwork network, Instant now);
}
