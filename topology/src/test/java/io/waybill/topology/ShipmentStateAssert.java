package io.waybill.topology;

import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ShipmentException;

import static org.assertj.core.api.Assertions.assertThat;

/** Small assertions shared by the topology tests. */
final class ShipmentStateAssert {

    private ShipmentStateAssert() {
    }

    static ShipmentException open(ShipmentException e) {
        assertThat(e).as("exception").isNotNull();
        assertThat(e.getStatus()).as("status of " + e.getExceptionId()).isEqualTo(ExceptionStatus.OPEN);
        return e;
    }
}
