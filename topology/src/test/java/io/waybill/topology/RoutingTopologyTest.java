package io.waybill.topology;

import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HistoryEntryKind;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.RerouteCommand;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.RoutingInstruction;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.SlaStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.waybill.topology.EngineDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Route plans, sorting instructions and each rerouting trigger, on the small network of {@link EngineDriver}. */
class RoutingTopologyTest {

    private EngineDriver engine;

    @BeforeEach
    void start() {
        engine = new EngineDriver().withDiamondNetwork();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static List<String> lanes(ShipmentState s) {
        return s.getRoutePlan().getLegs().stream().map(RouteLeg::getLaneId).toList();
    }

    @Test
    void a_booking_gets_the_earliest_route_its_eta_and_an_instruction_for_the_origin_sorter() {
        // given the network, when a shipment A → B is booked
        Events s = new Events("R1", T0);
        var booking = s.created("A", "B");
        engine.pipe(booking);

        // then it is planned via H1 (same arrival as via H2, cheaper), with an ETA and an SLA status
        ShipmentState state = engine.state("R1");
        assertThat(state.getRouteStatus()).isEqualTo(RouteStatus.PLANNED);
        assertThat(lanes(state)).containsExactly("A-H1", "H1-B");
        Instant ready = booking.getOccurredAt();
        assertThat(state.getRoutePlan().getArrivalAtDestination()).isEqualTo(ready.plus(Duration.ofMinutes(60 + 30 + 120)));
        assertThat(state.getEta()).isEqualTo(state.getRoutePlan().getArrivalAtDestination().plus(Duration.ofHours(4)));
        assertThat(state.getSlaStatus()).isEqualTo(SlaStatus.ON_TIME);
        // and the origin's sorter is told which lane to load it on, keyed by facility
        var instruction = engine.instructions.readKeyValue();
        assertThat(instruction.key).isEqualTo("A");
        assertThat(instruction.value.getNextLaneId()).isEqualTo("A-H1");
        assertThat(engine.history("R1")).anySatisfy(e -> {
            assertThat(e.getKind()).isEqualTo(HistoryEntryKind.ROUTING);
            assertThat(e.getReason()).startsWith("BOOKED");
        });
    }

    @Test
    void instructions_are_published_when_they_change_not_on_every_event() {
        Events s = new Events("R2", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));            // same instruction as at booking: nothing new
        engine.pipe(s.damaged("A"));            // nothing about routing changed
        assertThat(engine.instructions.readValuesToList()).hasSize(1);

        // when it leaves on the planned lane, the next facility gets its instruction ahead of arrival
        engine.pipe(s.departed("A", "A-H1"));
        RoutingInstruction next = engine.instructions.readValue();
        assertThat(next.getFacilityId()).isEqualTo("H1");
        assertThat(next.getNextLaneId()).isEqualTo("H1-B");
        engine.pipe(s.arrived("H1"));
        assertThat(engine.instructions.isEmpty()).isTrue();

        // and at the destination the instruction is to deliver
        engine.pipe(s.departed("H1", "H1-B"));
        RoutingInstruction deliver = engine.instructions.readValue();
        assertThat(deliver.getFacilityId()).isEqualTo("B");
        assertThat(deliver.getOutForDelivery()).isTrue();
    }

    @Test
    void the_same_instruction_issued_again_for_a_later_step_has_a_new_id() {
        // given a shipment at A, told to go on A-H1
        Events s = new Events("R17", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        RoutingInstruction first = engine.instructions.readValuesToList().get(0);
        assertThat(first.getNextLaneId()).isEqualTo("A-H1");

        // when it is held (the sorter is told to hold it) and released again
        engine.pipe(s.held("customs"));
        engine.pipe(s.released());
        List<RoutingInstruction> after = engine.instructions.readValuesToList();

        // then A is told A-H1 again, under an id of its own: a sorter deduplicating by id must not drop it
        assertThat(after).extracting(RoutingInstruction::getNextLaneId).containsExactly(null, "A-H1");
        assertThat(after.get(1).getInstructionId()).startsWith("R17@A|A-H1#").isNotEqualTo(first.getInstructionId());
        assertThat(first.getInstructionId()).startsWith("R17@A|A-H1#");
    }

    @Test
    void a_mis_sort_re_plans_from_where_the_shipment_is_and_raises_misrouted() {
        // given a shipment planned A → H1 → B
        Events s = new Events("R3", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        engine.pipe(s.departed("A", "A-H1"));

        // when it is scanned at H2 (a wrong truck)
        engine.pipe(s.arrived("H2"));

        // then it is re-planned from H2, the history says why, and MISROUTED is raised
        ShipmentState state = engine.state("R3");
        assertThat(lanes(state)).containsExactly("H2-B");
        assertThat(state.getRoutePlan().getRevision()).isEqualTo(2);
        assertThat(state.getRoutePlan().getReason()).isEqualTo("MIS_SORT at H2");
        assertThat(engine.history("R3")).anySatisfy(e -> assertThat(e.getType()).isEqualTo("REROUTED"));
        ShipmentStateAssert.open(engine.exception("R3", ExceptionType.MISROUTED));

        // and when it arrives at B as now planned, MISROUTED resolves itself
        engine.pipe(s.departed("H2", "H2-B"));
        engine.pipe(s.arrived("B"));
        assertThat(engine.exception("R3", ExceptionType.MISROUTED).getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
    }

    @Test
    void closing_a_hub_re_plans_exactly_the_shipments_whose_remaining_route_uses_it() {
        // given one shipment through H1, one already past it, and one on a route without it
        Events through = new Events("R4", T0);
        engine.pipe(through.created("A", "B"));
        Events past = new Events("R5", T0);
        engine.pipe(past.created("A", "B"));
        engine.pipe(past.arrived("A"));
        engine.pipe(past.departed("A", "A-H1"));
        engine.pipe(past.arrived("H1"));
        engine.pipe(past.departed("H1", "H1-B"));
        Events elsewhere = new Events("R6", T0);
        engine.pipe(elsewhere.created("B", "C"));
        int pastRevision = engine.state("R5").getRoutePlan().getRevision();

        // when H1 closes and the engine's next tick notices
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));

        // then only the shipment still headed through H1 is re-planned, via H2, with the reason
        ShipmentState rerouted = engine.state("R4");
        assertThat(lanes(rerouted)).containsExactly("A-H2", "H2-B");
        assertThat(rerouted.getRoutePlan().getReason()).isEqualTo("FACILITY_CLOSED H1");
        assertThat(engine.state("R5").getRoutePlan().getRevision()).isEqualTo(pastRevision);
        assertThat(engine.state("R6").getRoutePlan().getRevision()).isEqualTo(1);
    }

    @Test
    void a_disrupted_lane_re_plans_the_shipments_planned_on_it() {
        Events s = new Events("R7", T0);
        engine.pipe(s.created("A", "B"));

        engine.lane("H1-B", "H1", "B", 120, 10, true);
        engine.advance(Duration.ofSeconds(2));

        ShipmentState state = engine.state("R7");
        assertThat(lanes(state)).doesNotContain("H1-B");
        assertThat(state.getRoutePlan().getReason()).isEqualTo("LANE_DISRUPTED H1-B");
    }

    @Test
    void a_planners_reroute_avoiding_a_facility_re_plans_that_shipment() {
        Events s = new Events("R8", T0);
        engine.pipe(s.created("A", "B"));

        engine.command(PlannerCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setShipmentId("R8")
                .setIssuedAt(T0.plusSeconds(1200)).setIssuedBy("planner-1")
                .setPayload(RerouteCommand.newBuilder().setAvoidFacilityIds(List.of("H1")).build()).build());

        ShipmentState state = engine.state("R8");
        assertThat(lanes(state)).containsExactly("A-H2", "H2-B");
        assertThat(state.getRoutePlan().getReason()).isEqualTo("PLANNER_REROUTE avoiding facilities [H1]");
        assertThat(state.getAvoidFacilityIds()).containsExactly("H1");
    }

    @Test
    void without_a_route_the_shipment_gets_no_route_and_is_retried_when_the_network_changes() {
        // given C is unreachable from A once B-C is disrupted
        engine.lane("B-C", "B", "C", 30, 5, true);
        Events s = new Events("R9", T0);
        engine.pipe(s.created("A", "C"));
        assertThat(engine.state("R9").getRouteStatus()).isEqualTo(RouteStatus.NO_ROUTE);
        ShipmentStateAssert.open(engine.exception("R9", ExceptionType.NO_ROUTE));
        var hold = engine.instructions.readValue();
        assertThat(hold.getReason()).startsWith("HOLD: no route");

        // when the lane is restored
        engine.lane("B-C", "B", "C", 30, 5, false);
        engine.advance(Duration.ofSeconds(2));

        // then it is planned, and NO_ROUTE resolves itself
        ShipmentState state = engine.state("R9");
        assertThat(state.getRouteStatus()).isEqualTo(RouteStatus.PLANNED);
        assertThat(lanes(state)).containsExactly("A-H1", "H1-B", "B-C");
        assertThat(engine.exception("R9", ExceptionType.NO_ROUTE).getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
    }

    @Test
    void a_late_departure_moves_the_eta_without_changing_the_route_and_flags_the_sla() {
        // given a booking promised just after the planned delivery
        Events s = new Events("R10", T0);
        var booking = s.created("A", "B", T0.plus(Duration.ofHours(9)));
        engine.pipe(booking);
        ShipmentState planned = engine.state("R10");
        assertThat(planned.getSlaStatus()).isEqualTo(SlaStatus.AT_RISK); // ETA within 4 h of the promise

        // when it leaves A six hours late
        engine.pipe(s.arrived("A"));
        engine.pipe(s.after(360).departed("A", "A-H1"));

        // then the same lanes carry it, the ETA is later, and it is LATE with SLA_AT_RISK open
        ShipmentState late = engine.state("R10");
        assertThat(lanes(late)).isEqualTo(lanes(planned));
        assertThat(late.getRoutePlan().getRevision()).isEqualTo(1);
        assertThat(late.getEta()).isAfter(planned.getEta());
        assertThat(late.getSlaStatus()).isEqualTo(SlaStatus.LATE);
        ShipmentStateAssert.open(engine.exception("R10", ExceptionType.SLA_AT_RISK));
    }

    @Test
    void a_lane_full_for_the_day_sends_the_next_shipment_another_way() {
        // given A → H1 takes one shipment a day, and one shipment already booked on it
        engine.lane("A-H1", "A", "H1", 60, 10, false, 1);
        Events first = new Events("R11", T0);
        engine.pipe(first.created("A", "B"));
        assertThat(lanes(engine.state("R11"))).containsExactly("A-H1", "H1-B");

        // when a second shipment is booked for the same day
        Events second = new Events("R12", T0);
        engine.pipe(second.created("A", "B"));

        // then it goes via H2, and the network-wide load says A-H1 is full that day
        assertThat(lanes(engine.state("R12"))).containsExactly("A-H2", "H2-B");
        var load = engine.driver.<String, Long>getKeyValueStore(io.waybill.topology.catalogue.WaybillStores.LANE_LOAD);
        var departure = engine.state("R11").getRoutePlan().getLegs().get(0).getPlannedDeparture();
        assertThat(load.get(io.waybill.topology.capacity.LaneLoad.key("A-H1", departure))).isEqualTo(1L);
    }

    @Test
    void a_re_plan_releases_the_lanes_of_the_old_plan() {
        Events s = new Events("R13", T0);
        engine.pipe(s.created("A", "B"));
        var departure = engine.state("R13").getRoutePlan().getLegs().get(0).getPlannedDeparture();
        var load = engine.driver.<String, Long>getKeyValueStore(io.waybill.topology.catalogue.WaybillStores.LANE_LOAD);
        assertThat(load.get(io.waybill.topology.capacity.LaneLoad.key("A-H1", departure))).isEqualTo(1L);

        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));

        assertThat(load.get(io.waybill.topology.capacity.LaneLoad.key("A-H1", departure))).isZero();
        var now = engine.state("R13").getRoutePlan().getLegs().get(0).getPlannedDeparture();
        assertThat(load.get(io.waybill.topology.capacity.LaneLoad.key("A-H2", now))).isEqualTo(1L);
    }

    @Test
    void a_cancelled_shipment_releases_the_lanes_it_will_not_travel() {
        // given a shipment booked on A-H1 and H1-B
        Events s = new Events("R16", T0);
        engine.pipe(s.created("A", "B"));
        var legs = engine.state("R16").getRoutePlan().getLegs();
        var load = engine.driver.<String, Long>getKeyValueStore(io.waybill.topology.catalogue.WaybillStores.LANE_LOAD);
        String first = io.waybill.topology.capacity.LaneLoad.key("A-H1", legs.get(0).getPlannedDeparture());
        String second = io.waybill.topology.capacity.LaneLoad.key("H1-B", legs.get(1).getPlannedDeparture());
        assertThat(load.get(first)).isEqualTo(1L);
        assertThat(load.get(second)).isEqualTo(1L);

        // when it is cancelled before it leaves
        engine.pipe(s.cancelled("customer withdrew"));

        // then both lane-days are free again, and nothing more changes when it is purged later
        assertThat(load.get(first)).isZero();
        assertThat(load.get(second)).isZero();
    }

    @Test
    void a_hub_closure_re_plans_the_closest_promise_first_one_batch_a_tick_and_each_shipment_once() {
        // given an engine that re-plans one shipment a tick, and three shipments through H1 booked
        // in the opposite order of their urgency (one without a promise)
        engine.close();
        List<Long> waits = new java.util.ArrayList<>();
        engine = new EngineDriver(new TopologySettings(TopologySettings.DEFAULTS.dedupeWindow(), Duration.ofSeconds(1), 5_000, 1,
                Duration.ofMillis(500)), new EngineMeters() {
            @Override
            public void replanned(long waitedMillis) {
                waits.add(waitedMillis);
            }
        }).withDiamondNetwork();
        engine.pipe(new Events("NONE", T0).created("A", "B", null));
        engine.pipe(new Events("LATER", T0).created("A", "B", T0.plus(Duration.ofDays(5))));
        engine.pipe(new Events("SOON", T0).created("A", "B", T0.plus(Duration.ofDays(1))));
        var jobs = engine.driver.<String, String>getKeyValueStore(io.waybill.topology.catalogue.WaybillStores.REROUTE_QUEUE);

        // when H1 closes, then each tick re-plans the most urgent shipment left, with one job record
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(1));
        assertThat(lanes(engine.state("SOON"))).containsExactly("A-H2", "H2-B");
        assertThat(lanes(engine.state("LATER"))).containsExactly("A-H1", "H1-B");
        assertThat(jobs.get("route-facility/H1/")).contains("FACILITY_CLOSED H1");
        engine.advance(Duration.ofSeconds(1));
        assertThat(lanes(engine.state("LATER"))).containsExactly("A-H2", "H2-B");
        assertThat(lanes(engine.state("NONE"))).containsExactly("A-H1", "H1-B");
        engine.advance(Duration.ofSeconds(1));
        engine.advance(Duration.ofSeconds(1));

        // then all three went around H1 once each, the job is gone, and each wait was reported
        for (String id : List.of("SOON", "LATER", "NONE")) {
            assertThat(engine.state(id).getRoutePlan().getRevision()).as(id).isEqualTo(2);
            assertThat(engine.state(id).getRoutePlan().getReason()).isEqualTo("FACILITY_CLOSED H1");
        }
        assertThat(jobs.get("route-facility/H1/")).isNull();
        assertThat(waits).hasSize(3).isSorted();
    }

    @Test
    void a_shipment_queued_by_an_engine_from_before_the_re_plan_jobs_is_still_re_planned() {
        // given a shipment through H1, and the queue entry an older engine left for it (key shipmentId, value the reason)
        Events s = new Events("OLD", T0);
        engine.pipe(s.created("A", "B"));
        var store = engine.driver.<String, String>getKeyValueStore(io.waybill.topology.catalogue.WaybillStores.REROUTE_QUEUE);
        store.put("OLD", "FACILITY_CLOSED H1");

        // when H1 closes and the next tick runs
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));

        // then the old entry is worked off and the shipment re-planned once, around H1
        assertThat(store.get("OLD")).isNull();
        ShipmentState state = engine.state("OLD");
        assertThat(lanes(state)).containsExactly("A-H2", "H2-B");
        assertThat(state.getRoutePlan().getRevision()).isEqualTo(2);
    }
}
