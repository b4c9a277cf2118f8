package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.Lane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of the network commands that need no cluster. */
class NetworkToolsTest {

    @Test
    void the_commands_refuse_to_run_without_kafka_and_registry_arguments() {
        assertThat(PublishNetwork.run(new String[0])).isEqualTo(2);
        assertThat(NetworkAdmin.run(new String[]{"set-facility-status", "DE-HUB-FRA", "CLOSED"})).isEqualTo(2);
        assertThat(NetworkAdmin.run(new String[]{"--bootstrap-servers", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1",
                "set-facility-status", "DE-HUB-FRA", "UNKNOWN"})).isEqualTo(2);
        assertThat(NetworkAdmin.run(new String[]{"--bootstrap-servers", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1",
                "set-lane-disrupted", "L-1", "maybe"})).isEqualTo(2);
    }

    @Test
    void a_network_file_with_problems_is_not_published(@TempDir Path dir) throws Exception {
        // given a file whose lane goes to a facility that does not exist
        Path file = dir.resolve("network.yaml");
        Files.writeString(file, """
                facilities:
                  - {id: A, name: A, type: HUB, region: R, timeZone: UTC, lat: 1, lon: 2, hourlyCapacity: 10}
                lanes:
                  - {id: L1, from: A, to: B, carrier: C, mode: ROAD, transitMinutes: 5, departures: [], dailyCapacity: 1, cost: 1}
                """);

        // then the command stops before connecting to anything (the address is unreachable)
        assertThat(PublishNetwork.run(new String[]{"--bootstrap-servers", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1",
                file.toString()})).isEqualTo(1);
    }

    @Test
    void an_admin_change_sets_only_the_field_and_the_time() {
        Facility facility = SeedNetwork.load().facilities().get(0);
        Lane lane = SeedNetwork.load().lanes().get(0);
        Instant now = Instant.parse("2026-11-30T12:00:00Z");

        Facility closed = NetworkAdmin.withStatus(facility, FacilityStatus.CLOSED, now);
        Lane disrupted = NetworkAdmin.withDisrupted(lane, true, now);

        assertThat(closed).isEqualTo(Facility.newBuilder(facility).setStatus(FacilityStatus.CLOSED).setUpdatedAt(now).build());
        assertThat(disrupted).isEqualTo(Lane.newBuilder(lane).setDisrupted(true).setUpdatedAt(now).build());
        assertThat(NetworkAdmin.facilityStatus("congested")).isEqualTo(FacilityStatus.CONGESTED);
        assertThat(NetworkAdmin.facilityStatus("UNKNOWN")).isNull();
    }
}
