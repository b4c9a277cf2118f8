package io.waybill.topology.routing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ZoneTimelineTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Europe/Berlin", "Europe/London", "America/New_York", "America/Chicago", "Asia/Kolkata",
            "Australia/Lord_Howe", "Pacific/Apia", "Pacific/Chatham", "America/St_Johns", "UTC", "Asia/Tokyo", "America/Sao_Paulo"})
    void the_tables_agree_with_java_time_around_every_transition_and_at_random_times(String zoneId) {
        // given a zone's timeline
        ZoneId zone = ZoneId.of(zoneId);
        ZoneTimeline timeline = ZoneTimeline.of(zone);
        Random random = new Random(zoneId.hashCode());

        // when local times near each transition (and random ones, some outside the table) are converted
        Instant at = Instant.parse("1995-01-01T00:00:00Z");
        ZoneOffsetTransition t;
        while ((t = zone.getRules().nextTransition(at)) != null && t.getInstant().isBefore(Instant.parse("2105-01-01T00:00:00Z"))) {
            for (int minutes = -180; minutes <= 180; minutes += 15) {
                check(timeline, zone, t.getInstant().toEpochMilli() + minutes * 60_000L);
                check(timeline, zone, t.getDateTimeBefore().plusMinutes(minutes));
            }
            at = t.getInstant();
        }
        for (int i = 0; i < 2_000; i++) {
            long instant = Instant.parse("1990-01-01T00:00:00Z").toEpochMilli() + (long) (random.nextDouble() * 140 * 365 * ZoneTimeline.DAY);
            check(timeline, zone, instant);
        }
    }

    /** Then offsets and local-to-instant resolution are exactly java.time's. */
    private static void check(ZoneTimeline timeline, ZoneId zone, long instant) {
        assertThat(timeline.offsetAt(instant)).as("offset at %s", Instant.ofEpochMilli(instant))
                .isEqualTo(zone.getRules().getOffset(Instant.ofEpochMilli(instant)).getTotalSeconds() * 1000L);
        check(timeline, zone, LocalDateTime.ofInstant(Instant.ofEpochMilli(instant), zone));
    }

    private static void check(ZoneTimeline timeline, ZoneId zone, LocalDateTime local) {
        long localMillis = local.toInstant(ZoneOffset.UTC).toEpochMilli();
        assertThat(Instant.ofEpochMilli(timeline.toInstant(localMillis))).as("instant of %s", local)
                .isEqualTo(ZonedDateTime.of(local, zone).toInstant());
    }
}
