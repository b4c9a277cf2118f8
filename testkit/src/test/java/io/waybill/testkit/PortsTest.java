package io.waybill.testkit;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PortsTest {

    @Test
    void ports_handed_out_but_not_yet_bound_are_never_handed_out_again() {
        // given many ports asked for before any is bound (a cluster's controller and brokers, then the services)
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 300; i++) ports.add(Ports.free());

        // then every one is different
        assertThat(ports).hasSize(300);
    }
}
