package io.waybill.topology.catalogue;

import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;

class CachedAvroDatumProviderTest {

    private final ShipmentState state = ShipmentState.newBuilder().setShipmentId("S1").setStatus(ShipmentStatus.IN_TRANSIT)
            .setRouteStatus(RouteStatus.PLANNED).setSlaStatus(SlaStatus.ON_TIME).setUpdatedAt(Instant.parse("2026-12-06T10:00:00Z"))
            .setTimers(new HashMap<>()).setFiredTimers(new HashMap<>()).build();

    @Test
    void theSameSchemaInstanceGetsTheSameWriterAndReaderAndTheyRoundTrip() throws Exception {
        // given the provider Apicurio's serdes are configured with
        CachedAvroDatumProvider<ShipmentState> provider = new CachedAvroDatumProvider<>();
        provider.setUseSpecificAvroReader(true);

        // when it is asked twice for the same schema instance
        var writer = provider.createDatumWriter(state, ShipmentState.getClassSchema());
        var reader = provider.createDatumReader(ShipmentState.getClassSchema());

        // then it answers from its cache, and what it answers writes and reads the record
        assertThat(provider.createDatumWriter(state, ShipmentState.getClassSchema())).isSameAs(writer);
        assertThat(provider.createDatumReader(ShipmentState.getClassSchema())).isSameAs(reader);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(state, encoder);
        encoder.flush();
        assertThat(reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null))).isEqualTo(state);
    }
}
