package io.waybill.topology.deadletter;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What a replay produces again for each kind of dead letter. */
class ReplayDeadLettersTest {

    private final WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
    private final ShipmentEvent event = ShipmentEvent.newBuilder().setEventId("7f1c1f9e-4a8e-4d55-9d43-1c9e3b8e0c11").setShipmentId("S-1")
            .setOccurredAt(Instant.parse("2026-12-07T01:00:00Z")).setRecordedAt(Instant.parse("2026-12-07T01:00:01Z")).setSource("wms")
            .setPayload(new ArrivedAtFacility("BER-HUB")).build();

    @Test
    void a_record_the_engine_refused_after_reading_it_is_encoded_again_for_its_topic() throws Exception {
        // given the dead letter of an event the engine read and refused (kept as Avro JSON)
        DeadLetter letter = letter("avro-json", ByteBuffer.wrap(avroJson(event)));

        // when the replay encodes it, then it reads back as the same event on the events topic
        byte[] bytes = ReplayDeadLetters.originalBytes(letter, serdes);
        assertThat(serdes.value(ShipmentEvent.class).deserializer().deserialize(WaybillTopic.SHIPMENT_EVENTS.topicName(), bytes))
                .isEqualTo(event);
    }

    @Test
    void wire_bytes_are_replayed_as_they_were_and_the_engine_s_own_retries_not_at_all() {
        byte[] wire = {0, 1, 2, 3};
        assertThat(ReplayDeadLetters.originalBytes(letter("kafka-wire", ByteBuffer.wrap(wire)), serdes)).containsExactly(wire);
        assertThat(ReplayDeadLetters.originalBytes(letter(DeadLetters.RETRIED_BY_ENGINE, null), serdes)).isNull();
    }

    private static DeadLetter letter(String encoding, ByteBuffer value) {
        return DeadLetter.newBuilder().setStage(FailureStage.PROCESSING).setSourceTopic(WaybillTopic.SHIPMENT_EVENTS.topicName())
                .setSourcePartition(3).setSourceOffset(42L).setOriginalKey(ByteBuffer.wrap("S-1".getBytes())).setOriginalValue(value)
                .setOriginalValueEncoding(encoding).setErrorClass("InputOutOfBounds").setErrorMessage("test")
                .setFailedAt(Instant.parse("2026-12-07T01:00:02Z")).setFailedIn("engine/shipment").build();
    }

    private static byte[] avroJson(ShipmentEvent e) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(e.getSchema(), out);
        new SpecificDatumWriter<ShipmentEvent>(e.getSchema()).write(e, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
