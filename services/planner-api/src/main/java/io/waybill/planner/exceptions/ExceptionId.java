package io.waybill.planner.exceptions;

import io.waybill.contract.ExceptionType;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An exception's id as the engine forms it: {@code <shipmentId>:<TYPE>:<n>} (shipment ids never contain ':'). */
public record ExceptionId(String shipmentId, String type, int sequence) {

    private static final Pattern FORMAT = Pattern.compile("([^:\\s]{1,200}):([A-Z_]+):(\\d{1,9})");

    public static Optional<ExceptionId> parse(String id) {
        if (id == null) return Optional.empty();
        Matcher m = FORMAT.matcher(id);
        if (!m.matches()) return Optional.empty();
        boolean knownType = Arrays.stream(ExceptionType.values()).anyMatch(t -> t.name().equals(m.group(2)));
        return knownType ? Optional.of(new ExceptionId(m.group(1), m.group(2), Integer.parseInt(m.group(3)))) : Optional.empty();
    }

    @Override
    public String toString() {
        return shipmentId + ":" + type + ":" + sequence;
    }
}
