package io.waybill.simulator;

import io.waybill.contract.Delivered;
import io.waybill.contract.ShipmentCreated;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ShipmentJourneyTest {

    private static final Random RANDOM = new Random(42);

    @RepeatedTest(50)
    void every_journey_is_booked_first_and_delivered_last_at_its_destination() {
        var steps = ShipmentJourney.plan(RANDOM, Instant.parse("2026-11-02T08:00:00Z"));

        assertThat(steps.get(0).payload()).isInstanceOf(ShipmentCreated.class);
        assertThat(steps.get(steps.size() - 1).payload()).isInstanceOf(Delivered.class);
        assertThat(steps).allSatisfy(s -> assertThat(s.after().isNegative()).isFalse());
        ShipmentCreated created = (ShipmentCreated) steps.get(0).payload();
        assertThat(created.getOrigin()).isNotEqualTo(created.getDestination());
        assertThat(created.getWeightKg()).isPositive();
    }
}
