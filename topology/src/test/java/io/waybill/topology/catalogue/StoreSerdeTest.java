package io.waybill.topology.catalogue;

import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.SlaStatus;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreSerdeTest {

    private final ShipmentState state = ShipmentState.newBuilder().setShipmentId("S1").setStatus(ShipmentStatus.IN_TRANSIT)
            .setRouteStatus(RouteStatus.PLANNED).setSlaStatus(SlaStatus.ON_TIME).setUpdatedAt(Instant.parse("2026-12-06T10:00:00Z"))
            .setTimers(new HashMap<>()).setFiredTimers(new HashMap<>()).build();

    @Test
    void aStoredValueReadsBackAndCarriesItsSchemaFingerprint() {
        // given the store serde of shipment states, without a registry
        StoreSerde<ShipmentState> serde = new StoreSerde<>(ShipmentState.class, null);

        // when a state is written
        byte[] bytes = serde.serializer().serialize("shipment-state-changelog", state);

        // then it starts with the single-object marker and reads back equal
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(serde.deserializer().deserialize("shipment-state-changelog", bytes)).isEqualTo(state);
    }

    @Test
    void aRecordInTheRegistryWireFormatIsReadThroughTheRegistry() {
        // given a store serde whose registry deserializer answers for Confluent-framed records
        StoreSerde<ShipmentState> serde = new StoreSerde<>(ShipmentState.class, (topic, bytes) -> state);

        // when a record an older engine wrote (magic byte 0, schema id 7) is read
        ShipmentState read = serde.deserializer().deserialize("shipment-state-changelog", new byte[]{0, 0, 0, 0, 7, 2, 3});

        // then the registry deserializer read it
        assertThat(read).isSameAs(state);
    }

    @Test
    void aRegistryFramedRecordWithoutARegistryIsAClearError() {
        StoreSerde<ShipmentState> serde = new StoreSerde<>(ShipmentState.class, null);

        assertThatThrownBy(() -> serde.deserializer().deserialize("shipment-state-changelog", new byte[]{0, 0, 0, 0, 7}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Confluent wire format");
    }

    @Test
    void garbageIsASerializationErrorNamingTheType() {
        StoreSerde<ShipmentState> serde = new StoreSerde<>(ShipmentState.class, null);

        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[]{(byte) 0xC3, 0x01, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("ShipmentState");
    }
}
