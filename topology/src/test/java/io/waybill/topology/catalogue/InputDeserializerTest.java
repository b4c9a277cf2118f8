package io.waybill.topology.catalogue;

import io.waybill.contract.ShipmentEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputDeserializerTest {

    private static final String TOPIC = "waybill.shipment-events.v1";

    @Test
    void bytes_that_cannot_be_read_arrive_as_an_undecodable_input_with_a_reason() {
        // given the engine's input deserializer
        Deserializer<Object> input = WaybillSerdes.withoutRegistry().input(ShipmentEvent.class);
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        // when it reads garbage
        Object read = input.deserialize(TOPIC, garbage);

        // then it gives the bytes back with why they could not be read, instead of throwing
        assertThat(read).isInstanceOfSatisfying(UndecodableInput.class, u -> {
            assertThat(u.value()).isEqualTo(garbage);
            assertThat(u.reason()).startsWith("not in the Confluent wire format").contains("first byte is 0x6e");
        });
    }

    @Test
    void a_tombstone_stays_null_and_a_good_value_is_read() {
        Deserializer<Object> input = new WaybillSerdes.InputDeserializer<>((Deserializer<String>) (t, d) -> new String(d, StandardCharsets.UTF_8));
        assertThat(input.deserialize(TOPIC, null)).isNull();
        assertThat(input.deserialize(TOPIC, "ok".getBytes(StandardCharsets.UTF_8))).isEqualTo("ok");
    }

    @Test
    void a_registry_that_cannot_answer_is_not_bad_input_and_still_throws() {
        // given a deserializer whose registry refuses connections
        Deserializer<Object> input = new WaybillSerdes.InputDeserializer<>((Deserializer<String>) (t, d) -> {
            throw new RuntimeException(new ConnectException("Connection refused"));
        });

        // then reading throws, so that Streams fails the thread and reads the record again, instead of dead-lettering it
        assertThatThrownBy(() -> input.deserialize(TOPIC, new byte[]{0, 0, 0, 0, 7, 2})).hasRootCauseInstanceOf(ConnectException.class);
    }

    @Test
    void the_reason_names_the_schema_id_of_framed_bytes_that_do_not_fit() {
        // given framed bytes (magic 0, schema id 7) whose body the deserializer rejected
        UndecodableInput undecodable = new UndecodableInput(new byte[]{0, 0, 0, 0, 7, 99}, new IllegalStateException("malformed data"));

        // then the reason says which schema id they claim
        assertThat(undecodable.reason()).isEqualTo("the Avro body does not fit schema id 7 (malformed data)");
        assertThat(new UndecodableInput(new byte[]{0, 1}, new IllegalStateException("x")).reason())
                .contains("the first byte is 0x00 and there are only 2");
    }
}
