package io.waybill.topology.routing;

import io.waybill.contract.HandlingFlag;
import io.waybill.contract.ServiceLevel;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to plan: a shipment ready at {@code fromFacilityId} at {@code readyAt}, going to
 * {@code toFacilityId}, optionally through {@code viaFacilityId}. Null collections read as empty.
 */
public record RouteRequest(String fromFacilityId, String toFacilityId, Instant readyAt, ServiceLevel serviceLevel,
                           List<HandlingFlag> handling, Set<String> avoidFacilityIds, Set<String> avoidLaneIds,
                           String viaFacilityId) {

    public RouteRequest {
        Objects.requireNonNull(fromFacilityId, "fromFacilityId");
        Objects.requireNonNull(toFacilityId, "toFacilityId");
        Objects.requireNonNull(readyAt, "readyAt");
        Objects.requireNonNull(serviceLevel, "serviceLevel");
        handling = handling == null ? List.of() : List.copyOf(handling);
        avoidFacilityIds = avoidFacilityIds == null ? Set.of() : Set.copyOf(avoidFacilityIds);
        avoidLaneIds = avoidLaneIds == null ? Set.of() : Set.copyOf(avoidLaneIds);
    }

    /** A request without handling, avoidances or via. */
    public static RouteRequest of(String fromFacilityId, String toFacilityId, Instant readyAt, ServiceLevel serviceLevel) {
        return new RouteRequest(fromFacilityId, toFacilityId, readyAt, serviceLevel, List.of(), Set.of(), Set.of(), null);
    }

    public RouteRequest withHandling(HandlingFlag... flags) {
        return new RouteRequest(fromFacilityId, toFacilityId, readyAt, serviceLevel, List.of(flags), avoidFacilityIds, avoidLaneIds, viaFacilityId);
    }

    public RouteRequest avoidingFacilities(String... facilityIds) {
        return new RouteRequest(fromFacilityId, toFacilityId, readyAt, serviceLevel, handling, Set.of(facilityIds), avoidLaneIds, viaFacilityId);
    }

    public RouteRequest avoidingLanes(String... laneIds) {
        return new RouteRequest(fromFacilityId, toFacilityId, readyAt, serviceLevel, handling, avoidFacilityIds, Set.of(laneIds), viaFacilityId);
    }

    public RouteRequest via(String facilityId) {
        return new RouteRequest(fromFacilityId, toFacilityId, readyAt, serviceLevel, handling, avoidFacilityIds, avoidLaneIds, facilityId);
    }
}
