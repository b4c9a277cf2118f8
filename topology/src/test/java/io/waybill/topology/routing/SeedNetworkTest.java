package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.TransportMode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeedNetworkTest {

    private static final Instant MONDAY_NOON = Instant.parse("2026-06-01T10:00:00Z");
    private final SeedNetwork seed = SeedNetwork.load();
    private final RoutePlanner planner = new RoutePlanner();

    private List<String> depots(String region) {
        return seed.facilities().stream().filter(f -> f.getType() == FacilityType.DEPOT && f.getRegion().equals(region))
                .map(Facility::getFacilityId).toList();
    }

    private RoutingNetwork roadOnly() {
        return RoutingNetwork.of(seed.facilities(), seed.lanes().stream().filter(l -> l.getMode() == TransportMode.ROAD).toList());
    }

    @Test
    void the_seed_network_loads_without_problems_and_has_the_expected_size() {
        RoutingNetwork network = seed.routingNetwork();

        assertThat(network.problems()).isEmpty();
        assertThat(seed.facilities()).hasSizeBetween(35, 50);
        assertThat(seed.lanes()).hasSizeBetween(250, 350);
        assertThat(network.lanes()).hasSameSizeAs(seed.lanes());
        assertThat(seed.facilities()).extracting(Facility::getRegion).containsOnly("EU-CENTRAL", "EU-WEST", "NA-EAST");
        assertThat(seed.facilities()).extracting(Facility::getType)
                .contains(FacilityType.HUB, FacilityType.DEPOT, FacilityType.WAREHOUSE, FacilityType.CROSS_DOCK);
        assertThat(seed.lanes()).extracting(Lane::getMode).contains(TransportMode.ROAD, TransportMode.RAIL, TransportMode.AIR);
        assertThat(seed.facilities()).allSatisfy(f -> assertThat(f.getUpdatedAt()).isEqualTo(SeedNetwork.UPDATED_AT));
    }

    @Test
    void ids_are_unique_every_lane_names_existing_facilities_and_every_zone_is_valid() {
        Set<String> facilityIds = seed.facilities().stream().map(Facility::getFacilityId).collect(Collectors.toSet());
        Set<String> laneIds = new HashSet<>();

        assertThat(facilityIds).hasSameSizeAs(seed.facilities());
        assertThat(seed.lanes()).allSatisfy(l -> {
            assertThat(laneIds.add(l.getLaneId())).as("unique %s", l.getLaneId()).isTrue();
            assertThat(facilityIds).contains(l.getFromFacilityId(), l.getToFacilityId());
            assertThat(l.getTransitMinutes()).isPositive();
            assertThat(l.getDailyCapacity()).isPositive();
        });
        assertThat(seed.facilities()).allSatisfy(f -> {
            assertThat(ZoneId.of(f.getTimeZone())).isNotNull();
            assertThat(f.getHourlyCapacity()).isPositive();
        });
    }

    @Test
    void hazmat_goes_by_road_only_and_cold_chain_and_hazmat_lanes_exist() {
        assertThat(seed.lanes()).filteredOn(l -> l.getAllowedHandling().contains(HandlingFlag.HAZMAT))
                .isNotEmpty().allSatisfy(l -> assertThat(l.getMode()).isEqualTo(TransportMode.ROAD));
        assertThat(seed.lanes()).filteredOn(l -> l.getAllowedHandling().contains(HandlingFlag.COLD_CHAIN))
                .extracting(Lane::getMode).contains(TransportMode.ROAD, TransportMode.AIR);
    }

    @Test
    void every_depot_reaches_every_other_depot_of_its_region_by_road_within_four_days() {
        RoutingNetwork road = roadOnly();
        for (String region : List.of("EU-CENTRAL", "EU-WEST", "NA-EAST")) {
            for (String from : depots(region)) {
                for (String to : depots(region)) {
                    if (from.equals(to)) continue;
                    RouteResult result = planner.plan(road, RouteRequest.of(from, to, MONDAY_NOON, ServiceLevel.STANDARD));
                    assertThat(result).as("%s -> %s", from, to).isInstanceOf(RouteResult.Found.class);
                    assertThat(((RouteResult.Found) result).arrivalAtDestination()).as("%s -> %s", from, to)
                            .isBefore(MONDAY_NOON.plus(Duration.ofDays(4)));
                }
            }
        }
    }

    @Test
    void european_depots_reach_each_other_across_regions_by_road() {
        RoutingNetwork road = roadOnly();
        for (String from : depots("EU-CENTRAL")) {
            for (String to : depots("EU-WEST")) {
                assertThat(planner.plan(road, RouteRequest.of(from, to, MONDAY_NOON, ServiceLevel.STANDARD))).as("%s -> %s", from, to)
                        .isInstanceOf(RouteResult.Found.class);
                assertThat(planner.plan(road, RouteRequest.of(to, from, MONDAY_NOON, ServiceLevel.STANDARD))).as("%s -> %s", to, from)
                        .isInstanceOf(RouteResult.Found.class);
            }
        }
    }

    @Test
    void north_america_is_reached_from_europe_by_air_only() {
        RoutingNetwork network = seed.routingNetwork();
        for (String from : depots("EU-CENTRAL").subList(0, 4)) {
            for (String to : depots("NA-EAST")) {
                // a STANDARD shipment has no route at all
                RouteResult standard = planner.plan(network, RouteRequest.of(from, to, MONDAY_NOON, ServiceLevel.STANDARD));
                assertThat(standard).as("%s -> %s", from, to).isInstanceOf(RouteResult.NoRoute.class);
                assertThat(((RouteResult.NoRoute) standard).reason()).isEqualTo("no route from " + from + " to " + to
                        + " over lanes usable for STANDARD service");
                // an EXPRESS one flies, both ways
                RouteResult express = planner.plan(network, RouteRequest.of(from, to, MONDAY_NOON, ServiceLevel.EXPRESS));
                assertThat(express).as("%s -> %s", from, to).isInstanceOf(RouteResult.Found.class);
                assertThat(((RouteResult.Found) express).legs()).extracting(RouteLeg::getMode).contains(TransportMode.AIR);
                assertThat(planner.plan(network, RouteRequest.of(to, from, MONDAY_NOON, ServiceLevel.EXPRESS))).isInstanceOf(RouteResult.Found.class);
            }
        }
    }

    @Test
    void a_hazmat_shipment_from_berlin_to_munich_takes_hazmat_lanes_and_is_slower_than_a_plain_one() {
        RoutingNetwork network = seed.routingNetwork();
        RouteRequest plain = RouteRequest.of("DE-DEP-BER1", "DE-DEP-MUC1", MONDAY_NOON, ServiceLevel.STANDARD);

        RouteResult.Found normal = (RouteResult.Found) planner.plan(network, plain);
        RouteResult.Found hazmat = (RouteResult.Found) planner.plan(network, plain.withHandling(HandlingFlag.HAZMAT));

        assertThat(hazmat.legs()).allSatisfy(leg -> assertThat(leg.getLaneId()).endsWith("-H1"));
        assertThat(hazmat.arrivalAtDestination()).isAfterOrEqualTo(normal.arrivalAtDestination());
    }

    @Test
    void the_scaled_network_is_ten_times_larger_deterministic_and_keeps_the_structure() {
        SeedNetwork scaled = SeedNetworkGenerator.scaled(10);
        RoutingNetwork network = scaled.routingNetwork();

        assertThat(network.problems()).isEmpty();
        assertThat(scaled.facilities()).hasSize(10 * seed.facilities().size());
        assertThat(scaled.lanes().size()).isBetween(10 * seed.lanes().size(), 11 * seed.lanes().size());
        assertThat(SeedNetworkGenerator.scaled(10).lanes()).isEqualTo(scaled.lanes());
        assertThat(SeedNetworkGenerator.generate(1, 3).lanes()).isNotEqualTo(SeedNetworkGenerator.generate(2, 3).lanes());
        assertThat(planner.plan(network, RouteRequest.of("DE-DEP-BER1", "FR-DEP-MRS1-S10", MONDAY_NOON, ServiceLevel.STANDARD)))
                .isInstanceOf(RouteResult.Found.class);
        assertThat(planner.plan(network, RouteRequest.of("DE-DEP-BER1-S7", "US-DEP-NYC1-S3", MONDAY_NOON, ServiceLevel.STANDARD)))
                .isInstanceOf(RouteResult.NoRoute.class);
        assertThat(planner.plan(network, RouteRequest.of("DE-DEP-BER1-S7", "US-DEP-NYC1-S3", MONDAY_NOON, ServiceLevel.EXPRESS)))
                .isInstanceOf(RouteResult.Found.class);
    }

    @Test
    void a_network_file_with_mistakes_is_rejected_naming_each() {
        String yaml = """
                facilities:
                  - {id: A, name: A, type: HUB, region: R, timeZone: UTC, lat: 1, lon: 2, hourlyCapacity: 10}
                  - {name: B, type: MOTEL, region: R, timeZone: UTC, lat: 1, lon: 2, hourlyCapacity: 10}
                lanes:
                  - {id: L1, from: A, to: B, carrier: C, mode: TELEPORT, transitMinutes: 5, departures: [], dailyCapacity: 1, cost: 1}
                """;

        assertThatThrownBy(() -> SeedNetwork.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IOException.class)
                .hasMessage("invalid network: facility #2: missing id; facility #2: unknown type MOTEL; lane L1: unknown mode TELEPORT");
    }
}
