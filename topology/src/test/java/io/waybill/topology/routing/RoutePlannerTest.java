package io.waybill.topology.routing;

import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.TransportMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.waybill.topology.routing.Networks.lane;
import static io.waybill.topology.routing.Networks.network;
import static org.assertj.core.api.Assertions.assertThat;

class RoutePlannerTest {

    private static final String BERLIN = "Europe/Berlin";
    private static final String UTC = "UTC";
    private final RoutePlanner planner = new RoutePlanner();

    private static RouteRequest request(String from, String to, String readyAt) {
        return RouteRequest.of(from, to, Instant.parse(readyAt), ServiceLevel.STANDARD);
    }

    private static RouteResult.Found found(RouteResult result) {
        assertThat(result).isInstanceOf(RouteResult.Found.class);
        return (RouteResult.Found) result;
    }

    private static String reason(RouteResult result) {
        assertThat(result).isInstanceOf(RouteResult.NoRoute.class);
        return ((RouteResult.NoRoute) result).reason();
    }

    private static List<String> laneIds(RouteResult result) {
        return found(result).legs().stream().map(RouteLeg::getLaneId).toList();
    }

    // --- schedules and time zones ---

    @ParameterizedTest(name = "ready {0} departs {1}")
    @CsvSource({
            "2026-07-01T20:00:00Z, 2026-07-01T20:30:00Z",  // summer: 22:30 CEST is 20:30 UTC
            "2026-07-01T20:30:00Z, 2026-07-01T20:30:00Z",  // ready exactly at the departure
            "2026-07-01T20:30:01Z, 2026-07-02T20:30:00Z",  // a second late: tomorrow's
            "2026-01-15T21:00:00Z, 2026-01-15T21:30:00Z",  // winter: 22:30 CET is 21:30 UTC
            "2026-01-15T23:30:00Z, 2026-01-16T21:30:00Z",  // after midnight UTC, still the same local evening passed
            "2026-03-28T22:00:00Z, 2026-03-29T20:30:00Z",  // spring-forward day: the evening departure is already CEST
            "2026-10-24T21:00:00Z, 2026-10-25T21:30:00Z"}) // fall-back day: CET again
    void a_lane_departing_2230_in_berlin_departs_at_the_matching_utc_instant(String readyAt, String expectedDeparture) {
        // given a lane leaving Berlin at 22:30 local time
        RoutingNetwork net = network().facility("A", BERLIN).facility("B", UTC).road("L1", "A", "B", 60, "22:30").build();

        // when a shipment is ready at an instant given in UTC
        RouteResult result = planner.plan(net, request("A", "B", readyAt));

        // then it leaves at the next 22:30 Berlin time
        RouteLeg leg = found(result).legs().get(0);
        assertThat(leg.getPlannedDeparture()).isEqualTo(Instant.parse(expectedDeparture));
        assertThat(leg.getPlannedArrival()).isEqualTo(Instant.parse(expectedDeparture).plus(Duration.ofMinutes(60)));
        assertThat(found(result).arrivalAtDestination()).isEqualTo(leg.getPlannedArrival());
    }

    @Test
    void a_departure_after_local_midnight_is_found_on_the_next_local_day() {
        // given a lane leaving Tokyo at 00:30 local time (UTC+9)
        RoutingNetwork net = network().facility("A", "Asia/Tokyo").facility("B", UTC).road("L1", "A", "B", 30, "00:30").build();

        // when ready at 23:00 Tokyo time (14:00 UTC)
        RouteResult result = planner.plan(net, request("A", "B", "2026-03-10T14:00:00Z"));

        // then it leaves 90 minutes later, on the next Tokyo day but the same UTC day
        assertThat(found(result).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-03-10T15:30:00Z"));
    }

    @Test
    void a_departure_time_that_does_not_exist_on_the_spring_forward_day_moves_later_by_the_gap() {
        // given a lane leaving Berlin at 02:30, a time that does not exist on 2026-03-29 (02:00 -> 03:00)
        RoutingNetwork net = network().facility("A", BERLIN).facility("B", UTC).road("L1", "A", "B", 30, "02:30").build();

        // when ready just after midnight that night (00:30 CET)
        RouteResult result = planner.plan(net, request("A", "B", "2026-03-28T23:30:00Z"));

        // then it leaves at 03:30 CEST, as ZonedDateTime resolves the gap
        assertThat(found(result).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    }

    @Test
    void a_departure_moved_by_the_gap_is_found_from_a_ready_time_after_its_local_time() {
        // given the same 02:30 lane, and a shipment ready at 03:15 CEST, later on the clock than 02:30
        RoutingNetwork net = network().facility("A", BERLIN).facility("B", UTC).road("L1", "A", "B", 30, "02:30").build();

        // when planned
        RouteResult result = planner.plan(net, request("A", "B", "2026-03-29T01:15:00Z"));

        // then it still catches that day's departure at 03:30 CEST
        assertThat(found(result).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    }

    @Test
    void a_departure_time_that_exists_twice_on_the_fall_back_day_departs_once_at_the_first() {
        // given a lane leaving Berlin at 02:30, which happens twice on 2026-10-25 (03:00 CEST -> 02:00 CET)
        RoutingNetwork net = network().facility("A", BERLIN).facility("B", UTC).road("L1", "A", "B", 30, "02:30").build();

        // when ready before the first 02:30, and when ready between the two
        RouteResult early = planner.plan(net, request("A", "B", "2026-10-25T00:00:00Z"));
        RouteResult between = planner.plan(net, request("A", "B", "2026-10-25T00:45:00Z"));

        // then the first leaves at 02:30 CEST; the second waits for the next day's 02:30 CET
        assertThat(found(early).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(found(between).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void a_new_york_lane_is_read_in_new_york_time_across_the_us_dst_change() {
        // given a lane leaving New York at 06:00 local time; the US moves to EDT on 2026-03-08
        RoutingNetwork net = network().facility("A", "America/New_York").facility("B", UTC).road("L1", "A", "B", 30, "06:00").build();

        // when ready the evening before (EST) and the evening after (EDT)
        RouteResult before = planner.plan(net, request("A", "B", "2026-03-07T20:00:00Z"));
        RouteResult after = planner.plan(net, request("A", "B", "2026-03-08T20:00:00Z"));

        // then 06:00 EST is 11:00 UTC, 06:00 EDT is 10:00 UTC
        assertThat(found(before).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-03-08T10:00:00Z"));
        assertThat(found(after).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-03-09T10:00:00Z"));
    }

    @Test
    void departure_times_are_read_in_the_origin_facilitys_zone_not_the_destinations() {
        // given two legs: Berlin -> London at 10:00 (Berlin time), London -> Berlin at 10:00 (London time)
        RoutingNetwork net = network().facility("BER", BERLIN, FacilityStatus.OPEN, 0).facility("LON", "Europe/London", FacilityStatus.OPEN, 0)
                .facility("X", BERLIN).road("L1", "BER", "LON", 60, "10:00").road("L2", "LON", "X", 60, "10:00").build();

        // when ready in Berlin on a winter morning
        RouteResult result = planner.plan(net, request("BER", "X", "2026-01-10T08:00:00Z"));

        // then the first leaves 09:00 UTC (10:00 CET), the second 10:00 UTC (10:00 GMT)
        assertThat(found(result).legs()).extracting(RouteLeg::getPlannedDeparture)
                .containsExactly(Instant.parse("2026-01-10T09:00:00Z"), Instant.parse("2026-01-10T10:00:00Z"));
    }

    @Test
    void a_lane_without_departure_times_departs_the_moment_the_shipment_is_ready() {
        // given a continuous lane
        RoutingNetwork net = network().facility("A", BERLIN).facility("B", BERLIN).road("L1", "A", "B", 45).build();

        // when ready at an odd second
        RouteResult result = planner.plan(net, request("A", "B", "2026-05-05T10:17:23Z"));

        // then it leaves right away and arrives 45 minutes later
        RouteLeg leg = found(result).legs().get(0);
        assertThat(leg.getPlannedDeparture()).isEqualTo(Instant.parse("2026-05-05T10:17:23Z"));
        assertThat(found(result).arrivalAtDestination()).isEqualTo(Instant.parse("2026-05-05T11:02:23Z"));
    }

    // --- handling and facility status ---

    @ParameterizedTest(name = "{0} with {1} handling minutes leaves at {2}")
    @CsvSource({"OPEN, 45, 2026-05-05T10:45:00Z", "CONGESTED, 45, 2026-05-05T11:30:00Z", "OPEN, 0, 2026-05-05T10:00:00Z"})
    void the_shipment_is_ready_after_the_handling_time_doubled_while_congested(FacilityStatus status, int handling, String departure) {
        // given A -> B arriving at 10:00 UTC and a continuous lane B -> C
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, status, handling).facility("C", UTC)
                .road("L1", "A", "B", 60, "09:00").road("L2", "B", "C", 60).build();

        // when planned from A
        RouteResult result = planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z"));

        // then the second leg waits for the handling at B
        assertThat(found(result).legs().get(1).getPlannedDeparture()).isEqualTo(Instant.parse(departure));
    }

    @Test
    void the_start_needs_no_handling_and_the_destination_adds_none() {
        // given a start and a destination with long handling times
        RoutingNetwork net = network().facility("A", UTC, FacilityStatus.OPEN, 600).facility("B", UTC, FacilityStatus.OPEN, 600)
                .road("L1", "A", "B", 60).build();

        // when planned
        RouteResult result = planner.plan(net, request("A", "B", "2026-05-05T08:00:00Z"));

        // then the route is just the transit
        assertThat(found(result).arrivalAtDestination()).isEqualTo(Instant.parse("2026-05-05T09:00:00Z"));
    }

    @Test
    void a_closed_facility_is_not_passed_through() {
        // given a fast route through B, which is CLOSED, and a slow one through C
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.CLOSED, 30).facility("C", UTC).facility("D", UTC)
                .road("L-AB", "A", "B", 10).road("L-BD", "B", "D", 10).road("L-AC", "A", "C", 100).road("L-CD", "C", "D", 100).build();

        // when planned
        RouteResult result = planner.plan(net, request("A", "D", "2026-05-05T08:00:00Z"));

        // then it goes through C
        assertThat(laneIds(result)).containsExactly("L-AC", "L-CD");
    }

    @Test
    void a_closed_destination_has_no_route_but_a_closed_start_can_be_left() {
        RoutingNetwork net = network().facility("A", UTC, FacilityStatus.CLOSED, 30).facility("B", UTC, FacilityStatus.CLOSED, 30)
                .facility("C", UTC).road("L-AC", "A", "C", 10).road("L-CB", "C", "B", 10).build();

        assertThat(reason(planner.plan(net, request("C", "B", "2026-05-05T08:00:00Z")))).isEqualTo("destination B is CLOSED");
        assertThat(laneIds(planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z")))).containsExactly("L-AC");
    }

    @Test
    void a_facility_of_unknown_status_is_not_used() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.UNKNOWN, 30).facility("C", UTC)
                .road("L-AB", "A", "B", 10).road("L-BC", "B", "C", 10).build();

        assertThat(reason(planner.plan(net, request("A", "B", "2026-05-05T08:00:00Z")))).contains("destination B has status UNKNOWN");
        assertThat(reason(planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z")))).startsWith("no usable lane out of A");
    }

    // --- lanes ---

    @Test
    void disrupted_and_avoided_lanes_are_not_used() {
        // given three parallel lanes, the fastest disrupted
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC)
                .lane(lane("L-FAST", "A", "B", TransportMode.ROAD, 10, 1, List.of(), true))
                .road("L-MID", "A", "B", 20).road("L-SLOW", "A", "B", 30).build();
        RouteRequest plain = request("A", "B", "2026-05-05T08:00:00Z");

        // then the next fastest is used, and when that is avoided, the slowest
        assertThat(laneIds(planner.plan(net, plain))).containsExactly("L-MID");
        assertThat(laneIds(planner.plan(net, plain.avoidingLanes("L-MID")))).containsExactly("L-SLOW");
        assertThat(reason(planner.plan(net, plain.avoidingLanes("L-MID", "L-SLOW"))))
                .isEqualTo("no usable lane out of A (L-FAST disrupted; L-MID to be avoided; L-SLOW to be avoided)");
    }

    @Test
    void avoided_facilities_are_not_passed_through_but_the_start_may_be_avoided() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).facility("C", UTC).facility("D", UTC)
                .road("L-AB", "A", "B", 10).road("L-BD", "B", "D", 10).road("L-AC", "A", "C", 100).road("L-CD", "C", "D", 100).build();
        RouteRequest plain = request("A", "D", "2026-05-05T08:00:00Z");

        assertThat(laneIds(planner.plan(net, plain))).containsExactly("L-AB", "L-BD");
        assertThat(laneIds(planner.plan(net, plain.avoidingFacilities("B")))).containsExactly("L-AC", "L-CD");
        assertThat(laneIds(planner.plan(net, plain.avoidingFacilities("A")))).containsExactly("L-AB", "L-BD");
        assertThat(reason(planner.plan(net, plain.avoidingFacilities("D")))).isEqualTo("destination D is to be avoided");
    }

    @ParameterizedTest(name = "{0} flies: {1}")
    @CsvSource({"STANDARD, false", "ECONOMY, false", "EXPRESS, true", "SAME_DAY, true", "OTHER, false"})
    void air_lanes_carry_express_and_same_day_only(ServiceLevel level, boolean flies) {
        // given a fast air lane and a slow road lane
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC)
                .lane(lane("L-AIR", "A", "B", TransportMode.AIR, 90, 20, List.of(), false))
                .road("L-ROAD", "A", "B", 900).build();

        // when planned at that service level
        RouteResult result = planner.plan(net, RouteRequest.of("A", "B", Instant.parse("2026-05-05T08:00:00Z"), level));

        // then air only for the fast products
        assertThat(laneIds(result)).containsExactly(flies ? "L-AIR" : "L-ROAD");
    }

    @Test
    void a_standard_shipment_with_only_air_out_gets_no_route_with_the_reason() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC)
                .lane(lane("L-AIR", "A", "B", TransportMode.AIR, 90, 20, List.of(), false)).build();

        assertThat(reason(planner.plan(net, request("A", "B", "2026-05-05T08:00:00Z"))))
                .isEqualTo("no usable lane out of A (L-AIR AIR is for EXPRESS and SAME_DAY only)");
    }

    @Test
    void hazmat_and_cold_chain_shipments_use_only_lanes_that_take_them_and_other_flags_restrict_nothing() {
        // given a fast plain lane, a slower hazmat lane and a slowest hazmat + cold chain lane
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC)
                .road("L-PLAIN", "A", "B", 10)
                .lane(lane("L-HAZ", "A", "B", TransportMode.ROAD, 20, 1, List.of(HandlingFlag.HAZMAT), false))
                .lane(lane("L-BOTH", "A", "B", TransportMode.ROAD, 30, 1, List.of(HandlingFlag.COLD_CHAIN, HandlingFlag.HAZMAT), false))
                .build();
        RouteRequest plain = request("A", "B", "2026-05-05T08:00:00Z");

        assertThat(laneIds(planner.plan(net, plain.withHandling(HandlingFlag.FRAGILE, HandlingFlag.HIGH_VALUE)))).containsExactly("L-PLAIN");
        assertThat(laneIds(planner.plan(net, plain.withHandling(HandlingFlag.HAZMAT)))).containsExactly("L-HAZ");
        assertThat(laneIds(planner.plan(net, plain.withHandling(HandlingFlag.COLD_CHAIN)))).containsExactly("L-BOTH");
        assertThat(laneIds(planner.plan(net, plain.withHandling(HandlingFlag.HAZMAT, HandlingFlag.COLD_CHAIN)))).containsExactly("L-BOTH");
    }

    @Test
    void a_cold_chain_shipment_without_a_cold_chain_route_gets_a_reason_naming_it() {
        // given cold chain out of A but not onwards from B
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).facility("C", UTC)
                .lane(lane("L-AB", "A", "B", TransportMode.ROAD, 20, 1, List.of(HandlingFlag.COLD_CHAIN), false))
                .road("L-BC", "B", "C", 10).build();

        assertThat(reason(planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z").withHandling(HandlingFlag.COLD_CHAIN))))
                .isEqualTo("no route from A to C over lanes usable for STANDARD service with COLD_CHAIN");
    }

    // --- capacity ---

    @Test
    void a_departure_without_room_is_skipped_for_the_lanes_next_departure() {
        // given a lane at 08:00 and 12:00 whose 08:00 departure is full
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).road("L1", "A", "B", 60, "08:00", "12:00").build();
        List<Instant> asked = new ArrayList<>();
        RoutePlanner full = new RoutePlanner((lane, departure) -> {
            asked.add(departure);
            return !departure.equals(Instant.parse("2026-05-05T08:00:00Z"));
        });

        // when planned
        RouteResult result = full.plan(net, request("A", "B", "2026-05-05T07:00:00Z"));

        // then it takes the 12:00
        assertThat(found(result).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-05-05T12:00:00Z"));
        assertThat(asked).containsExactly(Instant.parse("2026-05-05T08:00:00Z"), Instant.parse("2026-05-05T12:00:00Z"));
    }

    @Test
    void a_full_continuous_lane_is_tried_again_at_the_next_quarter_hour() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).road("L1", "A", "B", 60).build();
        Instant ready = Instant.parse("2026-05-05T07:07:00Z");
        RoutePlanner planner = new RoutePlanner((lane, departure) -> !departure.isBefore(Instant.parse("2026-05-05T07:30:00Z")));

        RouteResult result = planner.plan(net, RouteRequest.of("A", "B", ready, ServiceLevel.STANDARD));

        assertThat(found(result).legs().get(0).getPlannedDeparture()).isEqualTo(Instant.parse("2026-05-05T07:30:00Z"));
    }

    @Test
    void a_lane_that_is_always_full_gives_no_route_within_the_horizon_and_is_asked_only_up_to_it() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).road("L1", "A", "B", 60, "08:00").build();
        List<Instant> asked = new ArrayList<>();
        RoutePlanner planner = new RoutePlanner((lane, departure) -> asked.add(departure) && false);

        RouteResult result = planner.plan(net, request("A", "B", "2026-05-05T07:00:00Z"));

        assertThat(reason(result)).isEqualTo("no route from A to B within 14 days");
        assertThat(asked).hasSize(14).last().isEqualTo(Instant.parse("2026-05-18T08:00:00Z"));
    }

    // --- via, horizon, reasons ---

    @Test
    void a_via_facility_is_visited_and_its_handling_time_applies() {
        // given a direct lane A -> C and a detour through B (handling 40 minutes)
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.OPEN, 40).facility("C", UTC)
                .road("L-AC", "A", "C", 60).road("L-AB", "A", "B", 30).road("L-BC", "B", "C", 30).build();
        RouteRequest direct = request("A", "C", "2026-05-05T08:00:00Z");

        // when planned directly and via B
        RouteResult plain = planner.plan(net, direct);
        RouteResult via = planner.plan(net, direct.via("B"));

        // then the via route goes through B and waits for its handling
        assertThat(laneIds(plain)).containsExactly("L-AC");
        assertThat(laneIds(via)).containsExactly("L-AB", "L-BC");
        assertThat(found(via).legs().get(1).getPlannedDeparture()).isEqualTo(Instant.parse("2026-05-05T09:10:00Z"));
        assertThat(found(via).arrivalAtDestination()).isEqualTo(Instant.parse("2026-05-05T09:40:00Z"));
    }

    @Test
    void a_via_route_may_come_back_through_the_same_facilities() {
        // given a star around hub H: the only way from A to C via B is A -> H -> B -> H -> C
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).facility("C", UTC).facility("H", UTC)
                .road("L-AH", "A", "H", 10).road("L-HB", "H", "B", 10).road("L-BH", "B", "H", 10).road("L-HC", "H", "C", 10).build();

        assertThat(laneIds(planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z").via("B"))))
                .containsExactly("L-AH", "L-HB", "L-BH", "L-HC");
    }

    @Test
    void a_closed_via_facility_or_a_dead_end_via_gives_a_reason() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.CLOSED, 30).facility("C", UTC).facility("D", UTC)
                .road("L-AC", "A", "C", 10).road("L-AD", "A", "D", 10).build();
        RouteRequest request = request("A", "C", "2026-05-05T08:00:00Z");

        assertThat(reason(planner.plan(net, request.via("B")))).isEqualTo("via facility B is CLOSED");
        assertThat(reason(planner.plan(net, request.via("D")))).isEqualTo("after via facility D: no usable lane out of D (it has no outbound lanes)");
        assertThat(reason(planner.plan(net, request.via("X")))).isEqualTo("via facility X is not in the network");
    }

    @Test
    void a_shipment_already_at_its_destination_has_a_route_without_legs() {
        RoutingNetwork net = network().facility("A", UTC, FacilityStatus.CLOSED, 30).build();
        Instant ready = Instant.parse("2026-05-05T08:00:00Z");

        RouteResult result = planner.plan(net, RouteRequest.of("A", "A", ready, ServiceLevel.STANDARD));

        assertThat(found(result).legs()).isEmpty();
        assertThat(found(result).arrivalAtDestination()).isEqualTo(ready);
    }

    @Test
    void routes_arriving_after_the_horizon_are_not_found() {
        // given a lane that takes 20 days
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).road("L1", "A", "B", 20 * 24 * 60).build();

        assertThat(reason(planner.plan(net, request("A", "B", "2026-05-05T08:00:00Z")))).isEqualTo("no route from A to B within 14 days");
        assertThat(found(new RoutePlanner(LaneCapacity.UNLIMITED, Duration.ofDays(21)).plan(net, request("A", "B", "2026-05-05T08:00:00Z")))
                .arrivalAtDestination()).isEqualTo(Instant.parse("2026-05-25T08:00:00Z"));
        assertThat(reason(new RoutePlanner(LaneCapacity.UNLIMITED, Duration.ofHours(36)).plan(net, request("A", "B", "2026-05-05T08:00:00Z"))))
                .isEqualTo("no route from A to B within 36 hours");
    }

    @Test
    void unknown_facilities_and_unconnected_ones_are_named() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC).facility("C", UTC)
                .road("L-AB", "A", "B", 10).road("L-BA", "B", "A", 10).build();

        assertThat(reason(planner.plan(net, request("X", "A", "2026-05-05T08:00:00Z")))).isEqualTo("origin X is not in the network");
        assertThat(reason(planner.plan(net, request("A", "Y", "2026-05-05T08:00:00Z")))).isEqualTo("destination Y is not in the network");
        assertThat(reason(planner.plan(net, request("C", "A", "2026-05-05T08:00:00Z"))))
                .isEqualTo("no usable lane out of C (it has no outbound lanes)");
        assertThat(reason(planner.plan(net, request("A", "C", "2026-05-05T08:00:00Z"))))
                .isEqualTo("no route from A to C over lanes usable for STANDARD service");
    }

    // --- ties and determinism ---

    @Test
    void equal_arrivals_are_decided_by_cost_then_legs_then_lane_ids() {
        // given three ways to arrive at 10:00: a dear direct lane and two cheaper two-leg routes of equal cost,
        // the one through B (settled first) with lane ids that sort after those through C
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.OPEN, 0).facility("C", UTC, FacilityStatus.OPEN, 0)
                .facility("D", UTC)
                .lane(lane("L-AD", "A", "D", TransportMode.ROAD, 120, 5, List.of(), false, "08:00"))
                .lane(lane("L-Z-AB", "A", "B", TransportMode.ROAD, 60, 1, List.of(), false, "08:00"))
                .lane(lane("L-Z-BD", "B", "D", TransportMode.ROAD, 60, 1, List.of(), false, "09:00"))
                .lane(lane("L-M-AC", "A", "C", TransportMode.ROAD, 60, 1, List.of(), false, "08:00"))
                .lane(lane("L-M-CD", "C", "D", TransportMode.ROAD, 60, 1, List.of(), false, "09:00"))
                .build();

        RouteResult result = planner.plan(net, request("A", "D", "2026-05-05T07:00:00Z"));

        // then a cheaper two-leg route wins over the dear direct one, and of those the smaller lane ids
        assertThat(laneIds(result)).containsExactly("L-M-AC", "L-M-CD");
        assertThat(found(result).arrivalAtDestination()).isEqualTo(Instant.parse("2026-05-05T10:00:00Z"));
    }

    @Test
    void equal_arrival_and_cost_prefers_fewer_legs() {
        RoutingNetwork net = network().facility("A", UTC).facility("B", UTC, FacilityStatus.OPEN, 0).facility("D", UTC)
                .lane(lane("L-AD", "A", "D", TransportMode.ROAD, 120, 2, List.of(), false, "08:00"))
                .lane(lane("L-AB", "A", "B", TransportMode.ROAD, 60, 1, List.of(), false, "08:00"))
                .lane(lane("L-BD", "B", "D", TransportMode.ROAD, 60, 1, List.of(), false, "09:00"))
                .build();

        assertThat(laneIds(planner.plan(net, request("A", "D", "2026-05-05T07:00:00Z")))).containsExactly("L-AD");
    }

    @Test
    void the_plan_does_not_depend_on_the_order_of_the_input() {
        // given the seed network in its file order and shuffled five times
        SeedNetwork seed = SeedNetwork.load();
        RoutingNetwork ordered = seed.routingNetwork();
        List<RoutingNetwork> shuffled = new ArrayList<>();
        for (long s = 1; s <= 5; s++) {
            List<io.waybill.contract.Facility> facilities = new ArrayList<>(seed.facilities());
            List<Lane> lanes = new ArrayList<>(seed.lanes());
            Collections.shuffle(facilities, new Random(s));
            Collections.shuffle(lanes, new Random(s * 31));
            shuffled.add(RoutingNetwork.of(Set.copyOf(facilities), lanes));
        }
        List<String> depots = ordered.facilities().stream()
                .filter(f -> f.getType() == io.waybill.contract.FacilityType.DEPOT).map(f -> f.getFacilityId()).toList();
        Random random = new Random(7);

        for (int i = 0; i < 100; i++) {
            // when the same requests are planned on each
            RouteRequest request = RouteRequest.of(depots.get(random.nextInt(depots.size())), depots.get(random.nextInt(depots.size())),
                    Instant.parse("2026-06-01T00:00:00Z").plus(Duration.ofMinutes(random.nextInt(60 * 24 * 30))),
                    random.nextBoolean() ? ServiceLevel.EXPRESS : ServiceLevel.STANDARD);
            RouteResult expected = planner.plan(ordered, request);

            // then every plan is the same
            for (RoutingNetwork net : shuffled) assertThat(planner.plan(net, request)).as(request.toString()).isEqualTo(expected);
        }
    }
}
