package io.waybill.gateway;

/** One thing wrong with a posted event, at a JSON path such as {@code events[2].data.origin}. */
public record Violation(String field, String message) {
}
