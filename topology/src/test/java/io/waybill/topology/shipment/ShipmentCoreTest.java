package io.waybill.topology.shipment;

import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.TransportMode;
import io.waybill.topology.Events;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.ShipmentRouter;
import io.waybill.topology.timer.ShipmentTimers;
import io.waybill.topology.workflow.WorkflowCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipment core without Kafka: a record and one input in, the new record and its effects out.
 * The network is A → H1 → B (cheap) beside A → H2 → B (dear).
 */
class ShipmentCoreTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    private final ShipmentCore core = new ShipmentCore(WorkflowCatalog.builtIn(), new ShipmentRouter(new RoutePlanner()), Duration.ofDays(30));
    private final RoutingNetwork network = RoutingNetwork.of(
            List.of(facility("A"), facility("H1"), facility("H2"), facility("B")),
            List.of(lane("A-H1", "A", "H1", 60, 10), lane("H1-B", "H1", "B", 120, 10),
                    lane("A-H2", "A", "H2", 90, 20), lane("H2-B", "H2", "B", 90, 20)));
    private final Events events = new Events("S1", T0);

    @Test
    void aBookingPlansTheCheapestRouteBooksItsLanesAndSetsItsTimers() {
        // given a shipment the engine has never seen
        ShipmentCore.ShipmentRecord none = ShipmentCore.ShipmentRecord.empty("S1");

        // when it is booked A → B
        ShipmentCore.Effects effects = core.onEntry(none, entry(events.created("A", "B")), network, T0);

        // then it is planned via H1, stored and published, with its history and its lane bookings
        assertThat(effects.stateChanged()).isTrue();
        assertThat(effects.state().getRouteStatus()).isEqualTo(RouteStatus.PLANNED);
        assertThat(effects.state().getRoutePlan().getLegs()).extracting(l -> l.getLaneId()).containsExactly("A-H1", "H1-B");
        assertThat(effects.historyChanged()).isTrue();
        assertThat(effects.history().getEntries()).extracting(HistoryEntry::getType).containsExactly("SHIPMENT_CREATED", "ROUTE_PLANNED");
        assertThat(effects.laneLoadDeltas()).hasSize(2).allSatisfy((key, delta) -> assertThat(delta).isEqualTo(1L));
        assertThat(effects.timersSet()).containsKeys(ShipmentTimers.SLA_AT_RISK, ShipmentTimers.SLA_BREACHED);
        assertThat(effects.exceptionsToStore()).isEmpty();
        assertThat(effects.purged()).isFalse();
    }

    @Test
    void anArrivalOnPlanCostsThreeRecords() {
        // given a shipment that left A on its planned lane, H1 told where to send it next
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"));
        ShipmentCore.Effects departure = core.onEntry(record, entry(events.departed("A", "A-H1")), network, events.clock());
        assertThat(departure.instructions()).singleElement().satisfies(i -> {
            assertThat(i.getFacilityId()).isEqualTo("H1");
            assertThat(i.getNextLaneId()).isEqualTo("H1-B");
        });
        record = next(record, departure);
        assertThat(record.state().getStatus()).isEqualTo(ShipmentStatus.IN_TRANSIT);
        assertThat(record.state().getTimers()).containsKey(ShipmentTimers.MISSED_SCAN);

        // when it arrives at H1, where its plan expects it
        ShipmentCore.Effects effects = core.onEntry(record, entry(events.arrived("H1")), network, events.clock());

        // then: state (changelog and topic) and history; H1 had its sorting instruction when the shipment left A,
        // and there is no lane or exception traffic
        assertThat(effects.state().getStatus()).isEqualTo(ShipmentStatus.AT_FACILITY);
        assertThat(effects.instructions()).isEmpty();
        assertThat(effects.laneLoadDeltas()).isEmpty();
        assertThat(effects.exceptionsToStore()).isEmpty();
        assertThat(effects.timersCleared()).containsKey(ShipmentTimers.MISSED_SCAN);
        assertThat(effects.recordsWritten()).isEqualTo(3);
    }

    @Test
    void aResendIsNotedAsADuplicateAndChangesNothingElse() {
        // given a received shipment
        ShipmentEvent arrival = events.arrived("A");
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), arrival);

        // when the scanner sends the arrival again
        ShipmentCore.Effects effects = core.onEntry(record, entry(Events.resend(arrival)), network, events.clock());

        // then only the history notes it
        assertThat(effects.stateChanged()).isFalse();
        assertThat(effects.instructions()).isEmpty();
        assertThat(effects.history().getEntries()).last().satisfies(e -> assertThat(e.getOutcome()).isEqualTo(HistoryOutcome.DUPLICATE));
        assertThat(effects.recordsWritten()).isEqualTo(1);
    }

    @Test
    void aLateScanIsFoldedInPlaceAndGivesTheStateOfInOrderArrival() {
        // given the same journey twice, once in order and once with the arrival at A after the departure
        ShipmentEvent created = events.created("A", "B");
        ShipmentEvent arrived = events.arrived("A");
        ShipmentEvent departed = events.departed("A", "A-H1");
        ShipmentCore.ShipmentRecord inOrder = fold(created, arrived, departed);

        // when the arrival comes late
        ShipmentCore.ShipmentRecord late = fold(created, departed, arrived);

        // then status, position and what was applied are the same
        assertThat(late.state().getStatus()).isEqualTo(inOrder.state().getStatus());
        assertThat(late.state().getLastFacilityId()).isEqualTo(inOrder.state().getLastFacilityId());
        assertThat(late.state().getEventsApplied()).isEqualTo(inOrder.state().getEventsApplied());
        assertThat(late.history().getEntries().stream().filter(e -> e.getOutcome() == HistoryOutcome.REJECTED)).isEmpty();
    }

    @Test
    void damageRaisesAnExceptionToStoreAndPublish() {
        // given a shipment at A
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"));

        // when it is reported damaged
        ShipmentCore.Effects effects = core.onEntry(record, entry(events.damaged("A")), network, events.clock());

        // then one DAMAGED exception is stored and published
        assertThat(effects.exceptionsToStore()).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(ExceptionType.DAMAGED);
            assertThat(e.getStatus()).isEqualTo(ExceptionStatus.OPEN);
        });
        assertThat(effects.exceptionsToPublish()).hasSize(1);
    }

    @Test
    void aMissedScanTimerRaisesAnExceptionAndLeavesThePendingTimers() {
        // given a shipment in transit to H1
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"), events.departed("A", "A-H1"));
        Instant due = record.state().getTimers().get(ShipmentTimers.MISSED_SCAN);

        // when its missed-scan deadline passes without an arrival
        ShipmentCore.Effects effects = core.onTimer(record, new ShipmentTimers.Due(due, "S1", ShipmentTimers.MISSED_SCAN), network,
                due.plusSeconds(1));

        // then a MISSED_SCAN exception is raised for H1 and the timer is marked fired
        assertThat(effects.exceptionsToPublish()).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(ExceptionType.MISSED_SCAN);
            assertThat(e.getFacilityId()).isEqualTo("H1");
        });
        assertThat(effects.state().getTimers()).doesNotContainKey(ShipmentTimers.MISSED_SCAN);
        assertThat(effects.state().getFiredTimers()).containsEntry(ShipmentTimers.MISSED_SCAN, due);
    }

    @Test
    void aTimerThatMovedDoesNothing() {
        // given a shipment in transit, and a missed-scan time it no longer has
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"), events.departed("A", "A-H1"));
        Instant stale = record.state().getTimers().get(ShipmentTimers.MISSED_SCAN).minusSeconds(60);

        // when that stale timer comes due
        ShipmentCore.Effects effects = core.onTimer(record, new ShipmentTimers.Due(stale, "S1", ShipmentTimers.MISSED_SCAN), network,
                stale.plusSeconds(1));

        // then nothing is written
        assertThat(effects.recordsWritten()).isZero();
        assertThat(effects.stateChanged()).isFalse();
    }

    @Test
    void theEndOfRetentionPurgesADeliveredShipment() {
        // given a delivered shipment
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"), events.departed("A", "A-H1"),
                events.arrived("H1"), events.departed("H1", "H1-B"), events.arrived("B"), events.outForDelivery("B"),
                events.delivered("door"));
        assertThat(record.state().getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        Instant purgeAt = record.state().getTimers().get(ShipmentTimers.PURGE);
        assertThat(purgeAt).isEqualTo(record.state().getStatusSince().plus(Duration.ofDays(30)));

        // when its purge timer fires
        ShipmentCore.Effects effects = core.onTimer(record, new ShipmentTimers.Due(purgeAt, "S1", ShipmentTimers.PURGE), network, purgeAt);

        // then it is purged
        assertThat(effects.purged()).isTrue();
        assertThat(effects.state()).isNull();
    }

    @Test
    void aClosedHubOnTheRouteRePlansAroundIt() {
        // given a shipment at A planned via H1
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"));
        RoutingNetwork closed = RoutingNetwork.of(
                List.of(facility("A"), withStatus(facility("H1"), FacilityStatus.CLOSED), facility("H2"), facility("B")),
                List.of(lane("A-H1", "A", "H1", 60, 10), lane("H1-B", "H1", "B", 120, 10),
                        lane("A-H2", "A", "H2", 90, 20), lane("H2-B", "H2", "B", 90, 20)));

        // when H1 closes
        ShipmentCore.Effects effects = core.onNetworkChange(record, "FACILITY_CLOSED H1", closed, events.clock());

        // then the plan goes via H2, the old lanes are released and the new ones booked, and the history says why
        assertThat(effects.state().getRoutePlan().getLegs()).extracting(l -> l.getLaneId()).containsExactly("A-H2", "H2-B");
        assertThat(effects.laneLoadDeltas().values()).containsExactlyInAnyOrder(-1L, -1L, 1L, 1L);
        assertThat(effects.history().getEntries()).last().satisfies(e -> assertThat(e.getType()).isEqualTo("REROUTED"));
    }

    @Test
    void aFinishedShipmentIgnoresNetworkChanges() {
        // given a cancelled shipment
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.cancelled("customer"));

        // when the network changes
        ShipmentCore.Effects effects = core.onNetworkChange(record, "NETWORK_CHANGED", network, events.clock());

        // then nothing happens
        assertThat(effects.recordsWritten()).isZero();
    }

    @Test
    void aCheapEditKeepsEveryFieldOfTheState() {
        // given a state with a plan, timers, milestones and a held-over lane
        ShipmentCore.ShipmentRecord record = fold(events.created("A", "B"), events.arrived("A"), events.departed("A", "A-H1"));

        // when it is edited without changing anything
        var copy = ShipmentStates.edit(record.state()).build();

        // then it equals the original, field for field
        assertThat(copy).isEqualTo(record.state());
        for (var field : copy.getSchema().getFields()) {
            assertThat(copy.get(field.pos())).as(field.name()).isEqualTo(record.state().get(field.pos()));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** The record after the events, each applied at its own occurredAt. */
    private ShipmentCore.ShipmentRecord fold(ShipmentEvent... inputs) {
        ShipmentCore.ShipmentRecord record = ShipmentCore.ShipmentRecord.empty("S1");
        for (ShipmentEvent e : inputs) {
            record = next(record, core.onEntry(record, entry(e), network, e.getOccurredAt()));
        }
        return record;
    }

    private static ShipmentCore.ShipmentRecord next(ShipmentCore.ShipmentRecord record, ShipmentCore.Effects effects) {
        Map<ExceptionType, ShipmentException> exceptions = new EnumMap<>(ExceptionType.class);
        exceptions.putAll(record.exceptions());
        for (ShipmentException e : effects.exceptionsToStore()) exceptions.put(e.getType(), e);
        return new ShipmentCore.ShipmentRecord(record.shipmentId(), effects.state(), effects.history(), exceptions);
    }

    private static HistoryEntry entry(ShipmentEvent e) {
        return ShipmentLedger.entryFor(e, e.getOccurredAt());
    }

    private static Facility facility(String id) {
        return Facility.newBuilder().setFacilityId(id).setName(id).setType(id.startsWith("H") ? FacilityType.HUB : FacilityType.DEPOT)
                .setRegion("EU-CENTRAL").setTimeZone("Europe/Berlin").setLatitude(52.5).setLongitude(13.4)
                .setStatus(FacilityStatus.OPEN).setHourlyCapacity(1000).setHandlingMinutes(30).setUpdatedAt(T0).build();
    }

    private static Facility withStatus(Facility f, FacilityStatus status) {
        return Facility.newBuilder(f).setStatus(status).build();
    }

    private static Lane lane(String id, String from, String to, int minutes, double cost) {
        return Lane.newBuilder().setLaneId(id).setFromFacilityId(from).setToFacilityId(to).setCarrier("test-carrier")
                .setMode(TransportMode.ROAD).setTransitMinutes(minutes).setDepartureTimes(new ArrayList<>()).setDailyCapacity(10_000)
                .setCost(cost).setAllowedHandling(new ArrayList<>()).setDisrupted(false).setUpdatedAt(T0).build();
    }
}
