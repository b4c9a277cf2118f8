package io.waybill.contract;

/**
 * The handle code uses for a topic. Names and settings live in {@code waybill/topics.yaml};
 * {@link TopicCatalogue} checks on load that every constant has exactly one entry there.
 */
public enum WaybillTopic {
    SHIPMENT_EVENTS,
    PLANNER_COMMANDS,
    SHIPMENT_STATE,
    FACILITIES,
    LANES,
    WORKFLOWS,
    ROUTING_INSTRUCTIONS,
    SHIPMENT_EXCEPTIONS,
    NOTIFICATIONS,
    LANE_LOAD_DELTAS,
    LANE_LOAD,
    DEAD_LETTERS;

    /** The topic's name as the catalogue gives it. */
    public String topicName() {
        return TopicCatalogue.standard().topic(this).name();
    }
}
