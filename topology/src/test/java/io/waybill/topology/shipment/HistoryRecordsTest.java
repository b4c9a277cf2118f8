package io.waybill.topology.shipment;

import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HistoryEntryKind;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.ShipmentHistory;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryRecordsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

    @Test
    void anAppendedEntryIsTheOnlyRecordWritten() {
        // given a stored history of three entries
        ShipmentHistory before = history("standard-parcel", entry("e1"), entry("e2"), entry("e3"));

        // when the ledger appends a fourth, keeping the others as they were
        List<HistoryEntry> entries = new ArrayList<>(before.getEntries());
        entries.add(entry("e4"));
        ShipmentHistory after = ShipmentStates.edit(before).setEntries(entries).build();

        // then one record is written: the new entry at position 3
        assertThat(HistoryRecords.changes("S1", before, after)).extracting(kv -> kv.key).containsExactly(HistoryRecords.key("S1", 3));
    }

    @Test
    void aLateEntryFoldedInPlaceRewritesTheEntriesFromItsPositionOn() {
        // given three stored entries
        ShipmentHistory before = history("standard-parcel", entry("e1"), entry("e3"), entry("e4"));

        // when a late entry goes in at position 1 (the ones after it move)
        List<HistoryEntry> entries = new ArrayList<>(before.getEntries());
        entries.add(1, entry("e2"));
        ShipmentHistory after = ShipmentStates.edit(before).setEntries(entries).build();

        // then positions 1 to 3 are written
        List<KeyValue<String, ShipmentHistory>> records = HistoryRecords.changes("S1", before, after);
        assertThat(records).extracting(kv -> kv.key)
                .containsExactly(HistoryRecords.key("S1", 1), HistoryRecords.key("S1", 2), HistoryRecords.key("S1", 3));
        assertThat(records.get(0).value.getEntries()).extracting(HistoryEntry::getId).containsExactly("e2");
    }

    @Test
    void aNewWorkflowPinRewritesEveryEntryWithIt() {
        // given entries recorded under a provisional workflow
        ShipmentHistory before = ShipmentStates.edit(history("standard-parcel", entry("e1"), entry("e2"))).setWorkflowProvisional(true).build();

        // when the booking pins another workflow
        ShipmentHistory after = ShipmentStates.edit(before).setWorkflowName("express").setWorkflowProvisional(false).build();

        // then every record carries the new pin
        assertThat(HistoryRecords.changes("S1", before, after)).hasSize(2)
                .allSatisfy(kv -> assertThat(kv.value.getWorkflowName()).isEqualTo("express"));
    }

    @Test
    void keysSortByPositionAndNameTheirShipment() {
        assertThat(HistoryRecords.key("S1", 9)).isLessThan(HistoryRecords.key("S1", 10));
        assertThat(HistoryRecords.shipmentIdOf(HistoryRecords.key("S1", 9))).isEqualTo("S1");
        assertThat(HistoryRecords.key("S1", 0)).doesNotStartWith("S10");
    }

    private static ShipmentHistory history(String workflow, HistoryEntry... entries) {
        return ShipmentHistory.newBuilder().setShipmentId("S1").setWorkflowName(workflow).setWorkflowVersion(1)
                .setWorkflowProvisional(false).setEntries(new ArrayList<>(List.of(entries))).build();
    }

    private static HistoryEntry entry(String id) {
        return HistoryEntry.newBuilder().setId(id).setKind(HistoryEntryKind.ROUTING).setType("ROUTE_PLANNED").setOccurredAt(T0)
                .setReceivedAt(T0).setOutcome(HistoryOutcome.APPLIED).setReason("test").build();
    }
}
