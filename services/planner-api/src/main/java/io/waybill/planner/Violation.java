package io.waybill.planner;

/** One thing wrong with a request: the field (a JSON path, or a query parameter) and what is wrong. */
public record Violation(String field, String message) {
}
