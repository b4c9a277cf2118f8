package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.waybill.topology.routing.Networks.facilityRecord;
import static io.waybill.topology.routing.Networks.lane;
import static io.waybill.topology.routing.Networks.network;
import static org.assertj.core.api.Assertions.assertThat;

class RoutingNetworkTest {

    @Test
    void invalid_lanes_and_facilities_are_left_out_and_named_instead_of_failing() {
        // given a network with every kind of bad record
        RoutingNetwork net = network().facility("A", "Europe/Berlin").facility("B", "UTC").facility("Z", "Mars/Olympus_Mons")
                .road("L-OK", "A", "B", 60, "08:00", "8:30", "08:00")
                .road("L-GHOST", "A", "X", 60)
                .road("L-TIME", "A", "B", 60, "08:00", "25:00", "noon")
                .road("L-LOOP", "A", "A", 60)
                .road("L-BACK", "B", "A", -5)
                .road("L-MARS", "B", "Z", 60)
                .lane(lane("L-COST", "A", "B", TransportMode.ROAD, 60, Double.NaN, List.of(), false))
                .build();

        // then only the good ones are there, and each problem is named
        assertThat(net.facilities()).extracting(Facility::getFacilityId).containsExactly("A", "B");
        assertThat(net.lanes()).extracting(Lane::getLaneId).containsExactly("L-OK");
        assertThat(net.problems()).containsExactly(
                "facility Z: unknown time zone 'Mars/Olympus_Mons', left out",
                "lane L-BACK: negative transitMinutes -5; left out",
                "lane L-COST: cost NaN; left out",
                "lane L-GHOST: unknown destination facility X; left out",
                "lane L-LOOP: starts and ends at A; left out",
                "lane L-MARS: unknown destination facility Z; left out",
                "lane L-TIME: departure time '25:00' is not HH:mm, departure time 'noon' is not HH:mm; left out");
        // and departures are sorted minutes of the day without repeats
        assertThat(net.departureMinutes("L-OK")).containsExactly(480, 510);
        assertThat(net.outboundLanes("A")).extracting(Lane::getLaneId).containsExactly("L-OK");
    }

    @Test
    void of_two_records_with_one_id_the_latest_wins_whatever_the_order() {
        Facility old = facilityRecord("A", "UTC", FacilityStatus.OPEN, 30);
        Facility recent = Facility.newBuilder(old).setStatus(FacilityStatus.CLOSED).setUpdatedAt(Instant.parse("2026-02-01T00:00:00Z")).build();

        assertThat(RoutingNetwork.of(List.of(old, recent), List.of()).facility("A")).contains(recent);
        assertThat(RoutingNetwork.of(List.of(recent, old), List.of()).facility("A")).contains(recent);
        assertThat(RoutingNetwork.of(List.of(recent, old), List.of()).problems()).containsExactly("facility A given more than once; the latest record is used");
    }

    @Test
    void next_departure_is_offered_for_other_components() {
        RoutingNetwork net = network().facility("A", "Europe/Berlin").facility("B", "UTC").road("L1", "A", "B", 60, "22:30").build();

        assertThat(net.nextDeparture("L1", Instant.parse("2026-07-01T21:00:00Z"))).contains(Instant.parse("2026-07-02T20:30:00Z"));
        assertThat(net.nextDeparture("nope", Instant.parse("2026-07-01T21:00:00Z"))).isEmpty();
    }
}
