package io.waybill.topology.shipment;

import io.waybill.contract.HistoryEntry;
import io.waybill.contract.ShipmentHistory;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a shipment's history is kept in the history store: one record per entry, keyed
 * {@code shipmentId NUL position} (five digits), each a {@link ShipmentHistory} holding that one
 * entry and the history's workflow pin.
 *
 * <p>Why not the whole history as one record: it was rewritten with every event, so the changelog
 * carried the audit trail again and again (quadratic in journey length; 45 % of the engine's bytes
 * per event). An event on plan now writes its own entry only. Positions move only when a late event
 * is folded in place or the workflow is pinned anew; then the entries from there on are rewritten.
 * Reading the history is one range read of the shipment's entries.
 */
public final class HistoryRecords {

    /** Separates the shipmentId from the position: a shipmentId never contains NUL, so one shipment's range never includes another's. */
    private static final char SEPARATOR = '\u0000';
    private static final StringSerializer KEYS = new StringSerializer();

    private HistoryRecords() {
    }

    public static String key(String shipmentId, int position) {
        String digits = Integer.toString(position);
        return shipmentId + SEPARATOR + "00000".substring(Math.min(5, digits.length())) + digits;
    }

    static String prefix(String shipmentId) {
        return shipmentId + SEPARATOR;
    }

    /** The shipmentId of a history record's key. */
    public static String shipmentIdOf(String key) {
        int at = key.lastIndexOf(SEPARATOR);
        return at < 0 ? key : key.substring(0, at);
    }

    /** The shipment's history as one record (null when it has none), from its entries in position order. */
    public static ShipmentHistory read(ReadOnlyKeyValueStore<String, ShipmentHistory> store, String shipmentId) {
        ShipmentHistory first = null;
        List<HistoryEntry> entries = new ArrayList<>();
        try (KeyValueIterator<String, ShipmentHistory> it = store.prefixScan(prefix(shipmentId), KEYS)) {
            while (it.hasNext()) {
                ShipmentHistory part = it.next().value;
                if (part == null) continue;
                if (first == null) first = part;
                entries.addAll(part.getEntries());
            }
        }
        if (first == null) return null;
        return ShipmentStates.edit(first).setEntries(entries).build();
    }

    /** The last stored entry of a shipment's history and its position (null when it has none). */
    public record Tail(ShipmentHistory history, int position) {
    }

    /**
     * The history's last record only: one reverse seek instead of decoding every entry, for inputs
     * that only append (see {@link ShipmentCore.ShipmentRecord#historyOffset()}).
     */
    public static Tail readTail(ReadOnlyKeyValueStore<String, ShipmentHistory> store, String shipmentId) {
        try (KeyValueIterator<String, ShipmentHistory> it = store.reverseRange(key(shipmentId, 0), key(shipmentId, 99_999))) {
            while (it.hasNext()) {
                KeyValue<String, ShipmentHistory> last = it.next();
                if (last.value == null) continue;
                String key = last.key;
                return new Tail(last.value, Integer.parseInt(key.substring(key.lastIndexOf(SEPARATOR) + 1)));
            }
        }
        return null;
    }

    public static List<KeyValue<String, ShipmentHistory>> changes(String shipmentId, ShipmentHistory before, ShipmentHistory after) {
        return changes(shipmentId, 0, before, after);
    }

    /**
     * The records that turn the stored {@code before} into {@code after}: the entries that are new or
     * changed (an entry the ledger kept is the very object it loaded), all of them when the workflow pin
     * changed.
     */
    public static List<KeyValue<String, ShipmentHistory>> changes(String shipmentId, int offset, ShipmentHistory before,
                                                                  ShipmentHistory after) {
        List<KeyValue<String, ShipmentHistory>> records = new ArrayList<>();
        List<HistoryEntry> was = before == null ? List.of() : before.getEntries();
        List<HistoryEntry> is = after.getEntries();
        boolean pinChanged = before == null || !Objects.equals(before.getWorkflowName(), after.getWorkflowName())
                || !Objects.equals(before.getWorkflowVersion(), after.getWorkflowVersion())
                || before.getWorkflowProvisional() != after.getWorkflowProvisional();
        for (int i = 0; i < is.size(); i++) {
            if (pinChanged || i >= was.size() || is.get(i) != was.get(i)) {
                records.add(KeyValue.pair(key(shipmentId, offset + i), ShipmentStates.edit(after).setEntries(List.of(is.get(i))).build()));
            }
        }
        // A history never shrinks; should one ever do, its tail must not outlive it.
        for (int i = is.size(); i < was.size(); i++) records.add(KeyValue.pair(key(shipmentId, offset + i), null));
        return records;
    }

    /** The keys of every record of a stored history (to purge it). */
    public static List<String> keys(String shipmentId, ShipmentHistory stored) {
        List<String> keys = new ArrayList<>();
        if (stored == null) return keys;
        for (int i = 0; i < stored.getEntries().size(); i++) keys.add(key(shipmentId, i));
        return keys;
    }
}
