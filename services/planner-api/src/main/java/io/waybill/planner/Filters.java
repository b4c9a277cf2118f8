package io.waybill.planner;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Checks of query parameters, collecting violations by parameter name. */
public final class Filters {

    private Filters() {
    }

    /** The symbols of a contract enum a client may name: all but the reader-default UNKNOWN. */
    public static Set<String> symbols(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).filter(n -> !n.equals("UNKNOWN"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The symbols of a contract enum, including UNKNOWN where it means something (e.g. no SLA yet). */
    public static Set<String> allSymbols(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    }

    public static void oneOf(String field, String value, Set<String> allowed, List<Violation> violations) {
        if (value != null && !allowed.contains(value)) violations.add(new Violation(field, "must be one of " + allowed));
    }

    public static void limit(int limit, int max, List<Violation> violations) {
        if (limit < 1 || limit > max) violations.add(new Violation("limit", "must be between 1 and " + max));
    }

    /** A positive ISO-8601 duration such as PT2H, or null when absent (a violation when malformed). */
    public static Duration duration(String field, String value, List<Violation> violations) {
        if (value == null) return null;
        try {
            Duration d = Duration.parse(value);
            if (d.isNegative() || d.isZero()) {
                violations.add(new Violation(field, "must be a positive duration"));
                return null;
            }
            return d;
        } catch (DateTimeParseException e) {
            violations.add(new Violation(field, "must be an ISO-8601 duration such as PT2H or P1D"));
            return null;
        }
    }

    /** Appends {@code &name=value} (encoded) when value is present. */
    public static void param(StringBuilder query, String name, String value) {
        if (value != null) query.append('&').append(name).append('=').append(EngineClient.encode(value));
    }
}
