package io.waybill.topology.routing;

import java.time.Instant;

/**
 * Whether a lane's departure can still take a shipment. The planner asks it for each departure
 * it considers and moves on to the lane's next departure when there is no room. It must answer
 * consistently within one plan; it is asked from the planning thread.
 */
@FunctionalInterface
public interface LaneCapacity {

    /** Every departure has room. */
    LaneCapacity UNLIMITED = (laneId, departure) -> true;

    boolean hasRoom(String laneId, Instant departure);
}
