package io.waybill.planner.live;

import java.util.Set;

/**
 * One message of the live stream: a named event with JSON data and the facilities it concerns, or a
 * comment (heartbeats, the greeting) that every subscriber gets.
 */
public record LiveEvent(String name, String data, Set<String> facilities, String comment) {

    public static LiveEvent event(String name, String json, Set<String> facilities) {
        return new LiveEvent(name, json, Set.copyOf(facilities), null);
    }

    public static LiveEvent comment(String text) {
        return new LiveEvent(null, null, Set.of(), text);
    }

    public boolean isComment() {
        return comment != null;
    }

    /** Whether a subscriber asking for {@code facility} (null: everything) gets this message. */
    public boolean concerns(String facility) {
        return isComment() || facility == null || facilities.contains(facility);
    }
}
