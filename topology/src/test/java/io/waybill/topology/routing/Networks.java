package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small hand-made networks for the routing tests. */
final class Networks {

    static final Instant UPDATED = Instant.parse("2026-01-01T00:00:00Z");

    private final List<Facility> facilities = new ArrayList<>();
    private final List<Lane> lanes = new ArrayList<>();

    static Networks network() {
        return new Networks();
    }

    static Facility facilityRecord(String id, String zone, FacilityStatus status, int handlingMinutes) {
        return Facility.newBuilder().setFacilityId(id).setName(id).setType(FacilityType.DEPOT).setRegion("TEST")
                .setTimeZone(zone).setLatitude(0).setLongitude(0).setStatus(status).setHourlyCapacity(100)
                .setHandlingMinutes(handlingMinutes).setUpdatedAt(UPDATED).build();
    }

    static Lane lane(String id, String from, String to, TransportMode mode, int transitMinutes, double cost,
                     List<HandlingFlag> allowed, boolean disrupted, String... departures) {
        return Lane.newBuilder().setLaneId(id).setFromFacilityId(from).setToFacilityId(to).setCarrier("carrier-" + id)
                .setMode(mode).setTransitMinutes(transitMinutes).setDepartureTimes(List.of(departures)).setDailyCapacity(100)
                .setCost(cost).setAllowedHandling(allowed).setDisrupted(disrupted).setUpdatedAt(UPDATED).build();
    }

    /** An OPEN facility with 30 handling minutes. */
    Networks facility(String id, String zone) {
        return facility(id, zone, FacilityStatus.OPEN, 30);
    }

    Networks facility(String id, String zone, FacilityStatus status, int handlingMinutes) {
        facilities.add(facilityRecord(id, zone, status, handlingMinutes));
        return this;
    }

    /** A ROAD lane of cost 1 that takes any handling. */
    Networks road(String id, String from, String to, int transitMinutes, String... departures) {
        return lane(lane(id, from, to, TransportMode.ROAD, transitMinutes, 1.0, List.of(), false, departures));
    }

    Networks lane(Lane lane) {
        lanes.add(lane);
        return this;
    }

    List<Facility> facilities() {
        return facilities;
    }

    List<Lane> lanes() {
        return lanes;
    }

    RoutingNetwork build() {
        return RoutingNetwork.of(facilities, lanes);
    }
}
