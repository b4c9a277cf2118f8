package io.waybill.topology.shipment;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine accepts in an event or a command, whoever produced it (the gateway and the
 * planner-api check the same, but producers may write to Kafka directly):
 * <ul>
 * <li>every instant between 2000-01-01 and 2199-12-31: timer keys are 13-digit epoch millis, which
 *     sort correctly only from 1970 to 2286, and a date outside these years is a bug, not a plan;</li>
 * <li>every text at most {@value #MAX_TEXT} characters: free text (a reason, a note) is copied into
 *     the history, the state and exceptions, and an unbounded one would grow a record past the
 *     brokers' limit.</li>
 * </ul>
 * The check walks the record's schema, so a field added to the contract is covered without a change here.
 */
public final class InputLimits {

    public static final int MAX_TEXT = 512;
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2199-12-31T23:59:59.999Z");

    private InputLimits() {
    }

    /** The first field out of bounds, as "field: what is wrong", or empty when the record is within bounds. */
    public static Optional<String> violation(IndexedRecord record) {
        return Optional.ofNullable(check(record, record.getSchema(), ""));
    }

    private static String check(Object value, Schema schema, String path) {
        if (value == null) return null;
        switch (schema.getType()) {
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    if (fits(value, branch)) return check(value, branch, path);
                }
                return null;
            }
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) value;
                for (Schema.Field f : r.getSchema().getFields()) {
                    String problem = check(r.get(f.pos()), f.schema(), path.isEmpty() ? f.name() : path + "." + f.name());
                    if (problem != null) return problem;
                }
                return null;
            }
            case ARRAY -> {
                int i = 0;
                for (Object item : (Collection<?>) value) {
                    String problem = check(item, schema.getElementType(), path + "[" + i++ + "]");
                    if (problem != null) return problem;
                }
                return null;
            }
            case MAP -> {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    String problem = text(e.getKey().toString(), path + " key");
                    if (problem == null) problem = check(e.getValue(), schema.getValueType(), path + "." + e.getKey());
                    if (problem != null) return problem;
                }
                return null;
            }
            case STRING -> {
                return text(value.toString(), path);
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    Instant at = value instanceof Instant i ? i : Instant.ofEpochMilli((Long) value);
                    if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
                        return path + ": " + at + " is outside the years 2000 to 2199 that Waybill accepts";
                    }
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static String text(String s, String path) {
        return s.length() > MAX_TEXT ? path + ": " + s.length() + " characters; at most " + MAX_TEXT + " are accepted" : null;
    }

    private static boolean fits(Object value, Schema branch) {
        return switch (branch.getType()) {
            case NULL -> false;
            case RECORD -> value instanceof IndexedRecord r && r.getSchema().getFullName().equals(branch.getFullName());
            case STRING -> value instanceof CharSequence;
            case LONG -> value instanceof Long || value instanceof Instant;
            case ARRAY -> value instanceof Collection<?>;
            case MAP -> value instanceof Map<?, ?>;
            default -> true;
        };
    }
}
