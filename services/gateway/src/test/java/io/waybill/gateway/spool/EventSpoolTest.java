package io.waybill.gateway.spool;

import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventSpoolTest {

    private static final long ONE_MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void spooled_batches_survive_a_crash_and_drain_in_order_after_reopening() throws Exception {
        // given three batches spooled by a gateway that then dies without closing anything
        List<ShipmentEvent> first = TestEvents.arrivals("S-1", 3);
        List<ShipmentEvent> second = TestEvents.arrivals("S-2", 1);
        List<ShipmentEvent> third = TestEvents.arrivals("S-1", 2);
        EventSpool crashed = EventSpool.open(dir, ONE_MIB);
        crashed.append(first);
        crashed.append(second);
        crashed.append(third);

        // when a new gateway opens the same directory
        EventSpool reopened = EventSpool.open(dir, ONE_MIB);

        // then every event is there, in the order it was accepted
        assertThat(reopened.recovery().batches()).isEqualTo(3);
        assertThat(reopened.depthEvents()).isEqualTo(6);
        EventSpool.Chunk chunk = reopened.peek(100);
        assertThat(chunk.events()).containsExactlyElementsOf(concat(first, second, third));

        // and once acknowledged the spool is empty, also for the next gateway
        reopened.acknowledge(chunk);
        assertThat(reopened.isEmpty()).isTrue();
        assertThat(reopened.depthBytes()).isZero();
        reopened.close();
        try (EventSpool next = EventSpool.open(dir, ONE_MIB)) {
            assertThat(next.isEmpty()).isTrue();
        }
        crashed.close();
    }

    @Test
    void draining_resumes_after_the_last_acknowledged_chunk() throws Exception {
        // given three single-event batches, of which the first was drained before a restart
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        List<ShipmentEvent> events = TestEvents.arrivals("S-3", 3);
        for (ShipmentEvent e : events) spool.append(List.of(e));
        spool.acknowledge(spool.peek(1));
        spool.close();

        // when the spool is reopened
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            // then only the two undrained events are left, in order
            assertThat(reopened.peek(100).events()).containsExactlyElementsOf(events.subList(1, 3));
        }
    }

    @Test
    void a_torn_last_record_is_detected_dropped_and_kept_aside() throws Exception {
        // given two acknowledged (fsynced) batches and a third whose write was cut short by a crash
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        List<ShipmentEvent> kept = TestEvents.arrivals("S-4", 2);
        spool.append(kept.subList(0, 1));
        spool.append(kept.subList(1, 2));
        spool.close();
        byte[] wholeRecord = recordBytesOf(TestEvents.arrivals("S-4", 1));
        appendRaw(dir.resolve(EventSpool.LOG_FILE), java.util.Arrays.copyOf(wholeRecord, wholeRecord.length / 2));

        // when the spool is reopened
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            // then the torn record is gone, its bytes are kept aside, and the acknowledged batches remain
            assertThat(reopened.recovery().tornBytesDropped()).isEqualTo(wholeRecord.length / 2);
            assertThat(reopened.recovery().quarantined()).exists();
            assertThat(reopened.peek(100).events()).containsExactlyElementsOf(kept);
            // and appending goes on after the last good record
            reopened.append(TestEvents.arrivals("S-4b", 1));
            assertThat(reopened.depthEvents()).isEqualTo(3);
        }
    }

    @Test
    void a_last_record_with_a_wrong_checksum_is_dropped() throws Exception {
        // given a complete last record whose body was corrupted on disk
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        spool.append(TestEvents.arrivals("S-5", 1));
        spool.append(TestEvents.arrivals("S-6", 1));
        spool.close();
        Path log = dir.resolve(EventSpool.LOG_FILE);
        byte[] bytes = Files.readAllBytes(log);
        bytes[bytes.length - 3] ^= 0x5a;
        Files.write(log, bytes);

        // when reopened, then only the first batch is left
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            assertThat(reopened.peek(100).events()).extracting(ShipmentEvent::getShipmentId).containsExactly("S-5");
            assertThat(reopened.recovery().tornBytesDropped()).isPositive();
        }
    }

    @Test
    void a_damaged_record_in_the_middle_is_set_aside_and_the_acknowledged_records_after_it_are_kept() throws Exception {
        // given three acknowledged batches, the middle one damaged on disk afterwards (a bad sector)
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        spool.append(TestEvents.arrivals("S-7", 1));
        long before = Files.size(dir.resolve(EventSpool.LOG_FILE));
        spool.append(TestEvents.arrivals("S-8", 1));
        spool.append(TestEvents.arrivals("S-9", 2));
        spool.close();
        Path log = dir.resolve(EventSpool.LOG_FILE);
        byte[] bytes = Files.readAllBytes(log);
        bytes[(int) before + 12] ^= 0x5a;
        Files.write(log, bytes);

        // when reopened
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            // then the batches before and after the damage are there, the damaged one is set aside, nothing is dropped as torn
            assertThat(reopened.peek(100).events()).extracting(ShipmentEvent::getShipmentId).containsExactly("S-7", "S-9", "S-9");
            assertThat(reopened.recovery().corruptBytesSkipped()).isPositive();
            assertThat(reopened.recovery().tornBytesDropped()).isZero();
            try (var aside = Files.list(dir)) {
                assertThat(aside.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("spool.corrupt-"));
            }
        }
        // and the rewritten log opens clean the next time
        try (EventSpool again = EventSpool.open(dir, ONE_MIB)) {
            assertThat(again.recovery().corruptBytesSkipped()).isZero();
            assertThat(again.depthEvents()).isEqualTo(3);
        }
    }

    @Test
    void a_full_spool_refuses_instead_of_dropping_and_accepts_again_once_drained() throws Exception {
        // given a small spool filled up
        EventSpool spool = EventSpool.open(dir, 8 * 1024);
        int accepted = 0;
        while (true) {
            try {
                spool.append(TestEvents.arrivals("FULL-" + accepted, 5));
                accepted++;
            } catch (EventSpool.SpoolFullException full) {
                assertThat(full.getMessage()).contains("spool is full");
                break;
            }
        }
        assertThat(accepted).isGreaterThan(1);
        assertThat(spool.isFull()).isTrue();
        assertThatThrownBy(() -> spool.append(TestEvents.arrivals("MORE", 5))).isInstanceOf(EventSpool.SpoolFullException.class);
        assertThat(spool.depthEvents()).isEqualTo(accepted * 5L);

        // when the oldest batch is drained
        spool.acknowledge(spool.peek(5));

        // then there is room again (the drained prefix is compacted away) and nothing accepted was lost
        assertThat(spool.isFull()).isFalse();
        spool.append(TestEvents.arrivals("AGAIN", 5));
        List<ShipmentEvent> left = spool.peek(Integer.MAX_VALUE).events();
        assertThat(left).hasSize(accepted * 5);
        assertThat(left.get(0).getShipmentId()).isEqualTo("FULL-1");
        assertThat(left.get(left.size() - 1).getShipmentId()).isEqualTo("AGAIN");
        assertThat(Files.size(dir.resolve(EventSpool.LOG_FILE))).isLessThanOrEqualTo(8 * 1024);
        spool.close();
    }

    @Test
    void draining_everything_shrinks_the_file_back_to_its_header() throws Exception {
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        long empty = Files.size(dir.resolve(EventSpool.LOG_FILE));
        for (int i = 0; i < 50; i++) spool.append(TestEvents.arrivals("S-" + i, 4));
        assertThat(Files.size(dir.resolve(EventSpool.LOG_FILE))).isGreaterThan(empty);

        while (!spool.isEmpty()) spool.acknowledge(spool.peek(40));

        assertThat(Files.size(dir.resolve(EventSpool.LOG_FILE))).isEqualTo(empty);
        spool.close();
    }

    @Test
    void concurrent_appends_are_all_durable_and_each_writer_keeps_its_order() throws Exception {
        // given eight writers appending one-event batches at the same time (group commit)
        EventSpool spool = EventSpool.open(dir, ONE_MIB);
        int writers = 8;
        int each = 100;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String shipmentId = "W-" + w;
            done.add(pool.submit(() -> {
                for (ShipmentEvent e : TestEvents.arrivals(shipmentId, each)) spool.append(List.of(e));
                return null;
            }));
        }
        for (var f : done) f.get();
        pool.shutdown();

        // when the spool is reopened (as after a crash)
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            // then every event is there, and each writer's events are in the order it wrote them
            List<ShipmentEvent> all = reopened.peek(Integer.MAX_VALUE).events();
            assertThat(all).hasSize(writers * each);
            for (int w = 0; w < writers; w++) {
                String shipmentId = "W-" + w;
                assertThat(all.stream().filter(e -> e.getShipmentId().equals(shipmentId)).map(e -> ((io.waybill.contract.ArrivedAtFacility) e.getPayload()).getFacilityId()))
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each).mapToObj(i -> "HUB-" + i).toList());
            }
        }
        spool.close();
    }

    @Test
    void a_spool_written_with_an_older_contract_is_read_and_rewritten_with_the_current_one() throws Exception {
        // given a spool left by a gateway whose contract had no "attributes" field yet
        org.apache.avro.Schema current = ShipmentEvent.getClassSchema();
        String olderJson = current.toString().replaceFirst(",\\{\"name\":\"attributes\".*}\\]}$", "]}");
        org.apache.avro.Schema older = new org.apache.avro.Schema.Parser().parse(olderJson);
        assertThat(older.getField("attributes")).isNull();
        ShipmentEvent original = TestEvents.arrival("OLD-1", "BER-HUB");
        var oldRecord = new org.apache.avro.generic.GenericData.Record(older);
        for (org.apache.avro.Schema.Field f : older.getFields()) {
            Object value = original.get(f.name());
            oldRecord.put(f.name(), f.name().endsWith("At") ? ((java.time.Instant) value).toEpochMilli() : value);
        }
        oldRecord.put("payload", toGeneric(original.getPayload(), older.getField("payload").schema()));
        byte[] encoded = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), older).encode(oldRecord).array();
        writeSpoolFile(older, encoded);

        // when the current gateway opens it
        try (EventSpool reopened = EventSpool.open(dir, ONE_MIB)) {
            // then the event reads back in the current contract, its new field at its default
            ShipmentEvent read = reopened.peek(10).events().get(0);
            assertThat(read.getEventId()).isEqualTo(original.getEventId());
            assertThat(read.getPayload()).isEqualTo(original.getPayload());
            assertThat(read.getAttributes()).isEmpty();
        }
        // and the file now carries the current schema, so it still reads after another restart
        try (EventSpool again = EventSpool.open(dir, ONE_MIB)) {
            assertThat(again.peek(10).events()).extracting(ShipmentEvent::getEventId).containsExactly(original.getEventId());
        }
    }

    @Test
    void a_spool_too_small_for_its_own_header_is_refused_with_the_setting_to_change() {
        assertThatThrownBy(() -> EventSpool.open(dir, 2048)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("waybill.gateway.spool-max-bytes");
    }

    private static Object toGeneric(Object payload, org.apache.avro.Schema union) {
        var specific = (org.apache.avro.specific.SpecificRecord) payload;
        org.apache.avro.Schema branch = union.getTypes().get(union.getIndexNamed(specific.getSchema().getFullName()));
        var generic = new org.apache.avro.generic.GenericData.Record(branch);
        for (org.apache.avro.Schema.Field f : branch.getFields()) generic.put(f.name(), specific.get(f.pos()));
        return generic;
    }

    /** A spool file as EventSpool's class comment lays it out, with one record of one event. */
    private void writeSpoolFile(org.apache.avro.Schema writerSchema, byte[] event) throws Exception {
        byte[] schema = writerSchema.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(4 + 4 + event.length).putInt(1).putInt(event.length).put(event);
        var crc = new java.util.zip.CRC32C();
        crc.update(body.array());
        ByteBuffer file = ByteBuffer.allocate(8 + 8 + 4 + schema.length + 8 + body.capacity());
        file.put("WBSPOOL1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putLong(1).putInt(schema.length).put(schema);
        file.putInt(body.capacity()).putInt((int) crc.getValue()).put(body.array());
        Files.write(dir.resolve(EventSpool.LOG_FILE), file.array());
    }

    @Test
    void a_file_that_is_not_a_spool_is_refused_rather_than_overwritten() throws Exception {
        Files.writeString(dir.resolve(EventSpool.LOG_FILE), "not a spool at all, but somebody's data");
        assertThatThrownBy(() -> EventSpool.open(dir, ONE_MIB)).hasMessageContaining("not a Waybill spool file");
    }

    /** The bytes a spool writes for one batch, taken from a scratch spool. */
    private static byte[] recordBytesOf(List<ShipmentEvent> batch) throws Exception {
        Path scratch = Files.createTempDirectory("spool-scratch");
        try (EventSpool spool = EventSpool.open(scratch, ONE_MIB)) {
            long header = Files.size(scratch.resolve(EventSpool.LOG_FILE));
            spool.append(batch);
            byte[] all = Files.readAllBytes(scratch.resolve(EventSpool.LOG_FILE));
            return java.util.Arrays.copyOfRange(all, (int) header, all.length);
        }
    }

    private static void appendRaw(Path file, byte[] bytes) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(bytes));
        }
    }

    @SafeVarargs
    private static List<ShipmentEvent> concat(List<ShipmentEvent>... lists) {
        List<ShipmentEvent> all = new ArrayList<>();
        Stream.of(lists).forEach(all::addAll);
        return all;
    }
}
