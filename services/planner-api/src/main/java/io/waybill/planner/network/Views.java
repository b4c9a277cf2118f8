package io.waybill.planner.network;

import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.planner.Responses;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

/** JSON shapes of the network and workflow records, with the names of the Avro contract. */
final class Views {

    private Views() {
    }

    record FacilityView(String facilityId, String name, String type, String region, String timeZone, double latitude,
                        double longitude, String status, int hourlyCapacity, int handlingMinutes, Instant updatedAt) {
        static FacilityView of(Facility f) {
            return new FacilityView(f.getFacilityId(), f.getName(), f.getType().name(), f.getRegion(), f.getTimeZone(),
                    f.getLatitude(), f.getLongitude(), f.getStatus().name(), f.getHourlyCapacity(), f.getHandlingMinutes(), f.getUpdatedAt());
        }
    }

    record LaneView(String laneId, String fromFacilityId, String toFacilityId, String carrier, String mode, int transitMinutes,
                    List<String> departureTimes, int dailyCapacity, double cost, List<String> allowedHandling, boolean disrupted,
                    Instant updatedAt) {
        static LaneView of(Lane l) {
            return new LaneView(l.getLaneId(), l.getFromFacilityId(), l.getToFacilityId(), l.getCarrier(), l.getMode().name(),
                    l.getTransitMinutes(), List.copyOf(l.getDepartureTimes()), l.getDailyCapacity(), l.getCost(),
                    l.getAllowedHandling().stream().map(Enum::name).toList(), l.getDisrupted(), l.getUpdatedAt());
        }
    }

    record WorkflowSummary(String name, int version, Instant publishedAt, String publishedBy) {
        static WorkflowSummary of(WorkflowDefinition w) {
            return new WorkflowSummary(w.getName(), w.getVersion(), w.getPublishedAt(), w.getPublishedBy());
        }
    }

    /** A list, with the time the view was last known to be complete. */
    record Page<T>(List<T> items, int count, Instant asOf) {
        Page(List<T> items, Instant asOf) {
            this(items, items.size(), asOf);
        }
    }

    static Response notLoaded() {
        return Responses.unavailable("the network view is still loading from Kafka; try again shortly", 2);
    }
}
