package io.waybill.topology.routing;

import io.waybill.contract.RouteLeg;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The outcome of {@link RoutePlanner#plan}: a route, or the reason there is none. */
public sealed interface RouteResult {

    /** The legs in travel order (none when the shipment is already at its destination) and the planned arrival there. */
    record Found(List<RouteLeg> legs, Instant arrivalAtDestination) implements RouteResult {
        public Found {
            legs = List.copyOf(legs);
            Objects.requireNonNull(arrivalAtDestination, "arrivalAtDestination");
        }
    }

    /** No route; the reason is for people (planners, logs), not for parsing. */
    record NoRoute(String reason) implements RouteResult {
        public NoRoute {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
