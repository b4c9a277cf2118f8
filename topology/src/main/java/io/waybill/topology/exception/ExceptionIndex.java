package io.waybill.topology.exception;

import io.waybill.contract.ShipmentException;

import java.util.ArrayList;
import java.util.List;

/**
 * Keys of the secondary index over active exceptions: by facility, type, severity, and all of them,
 * each ordered by detection time ("prefix/value/detectedAt(13 digits)/shipmentId|TYPE"), so the
 * oldest come first and an age filter stops the scan early. A cursor is the last key returned.
 */
public final class ExceptionIndex {

    public static final String ALL = "all/";

    private ExceptionIndex() {
    }

    public static List<String> keys(ShipmentException e) {
        List<String> keys = new ArrayList<>(4);
        if (!ExceptionBook.active(e)) return keys;
        String tail = pad(e.getDetectedAt().toEpochMilli()) + "/" + ExceptionBook.key(e.getShipmentId(), e.getType());
        keys.add(ALL + tail);
        if (e.getFacilityId() != null) keys.add(facilityPrefix(e.getFacilityId()) + tail);
        keys.add(typePrefix(e.getType().name()) + tail);
        keys.add(severityPrefix(e.getSeverity().name()) + tail);
        return keys;
    }

    public static String facilityPrefix(String facilityId) {
        return "facility/" + facilityId + "/";
    }

    public static String typePrefix(String type) {
        return "type/" + type + "/";
    }

    public static String severityPrefix(String severity) {
        return "severity/" + severity + "/";
    }

    /** The exceptions-store key at the end of an index key. */
    public static String exceptionKey(String indexKey) {
        return indexKey.substring(indexKey.lastIndexOf('/') + 1);
    }

    /** The detection time encoded in an index key. */
    public static long detectedAt(String indexKey) {
        String withoutKey = indexKey.substring(0, indexKey.lastIndexOf('/'));
        return Long.parseLong(withoutKey.substring(withoutKey.lastIndexOf('/') + 1));
    }

    public static String pad(long millis) {
        return io.waybill.topology.timer.ShipmentTimers.pad13(millis);
    }
}
