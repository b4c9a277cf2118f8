package io.waybill.topology.capacity;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;
import io.waybill.topology.routing.RoutingNetwork;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class LaneLoadViewTest {

    private static final Instant DAY1 = Instant.parse("2026-12-07T09:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-12-08T09:00:00Z");

    /** The lane-load store as the global store holds it: "laneId@day" → bookings. */
    private final TreeMap<String, Long> totals = new TreeMap<>();
    private int reads;
    private final LaneLoadView view = new LaneLoadView(new MapStore(), () -> NETWORK);

    private static final RoutingNetwork NETWORK = RoutingNetwork.of(
            List.of(facility("A"), facility("B")),
            List.of(lane("A-B", 2), lane("A-B2", 0)));

    @Test
    void a_lane_has_room_below_its_daily_capacity_per_utc_day() {
        // given A-B (2 a day) booked twice on day 1 and once on day 2
        totals.put(LaneLoad.key("A-B", DAY1), 2L);
        totals.put(LaneLoad.key("A-B", DAY2), 1L);

        // then day 1 is full, day 2 has room, and an unlimited lane always has room without a read
        assertThat(view.hasRoom("A-B", DAY1)).isFalse();
        assertThat(view.hasRoom("A-B", DAY2)).isTrue();
        assertThat(view.hasRoom("A-B2", DAY1)).isTrue();
        assertThat(reads).isEqualTo(1);
    }

    @Test
    void the_store_is_read_once_per_lane_until_refreshed_and_own_bookings_count_meanwhile() {
        // given one booking on day 1, read into the view
        totals.put(LaneLoad.key("A-B", DAY1), 1L);
        assertThat(view.hasRoom("A-B", DAY1)).isTrue();

        // when this task books the last place itself (the store does not know yet)
        view.booked(Map.of(LaneLoad.key("A-B", DAY1), 1L));

        // then the view is full without reading the store again
        assertThat(view.hasRoom("A-B", DAY1)).isFalse();
        assertThat(reads).isEqualTo(1);

        // and when another task's release reached the store and the tick refreshes the view, it has room again
        totals.put(LaneLoad.key("A-B", DAY1), 1L);
        view.refresh();
        assertThat(view.hasRoom("A-B", DAY1)).isTrue();
        assertThat(reads).isEqualTo(2);
    }

    private static Facility facility(String id) {
        return Facility.newBuilder().setFacilityId(id).setName(id).setType(FacilityType.DEPOT).setRegion("EU-CENTRAL")
                .setTimeZone("Europe/Berlin").setLatitude(52.5).setLongitude(13.4).setStatus(FacilityStatus.OPEN)
                .setHourlyCapacity(1000).setHandlingMinutes(30).setUpdatedAt(DAY1).build();
    }

    private static Lane lane(String id, int dailyCapacity) {
        return Lane.newBuilder().setLaneId(id).setFromFacilityId("A").setToFacilityId("B").setCarrier("c").setMode(TransportMode.ROAD)
                .setTransitMinutes(60).setDepartureTimes(new ArrayList<>()).setDailyCapacity(dailyCapacity).setCost(1)
                .setAllowedHandling(new ArrayList<>()).setDisrupted(false).setUpdatedAt(DAY1).build();
    }

    /** Only what the view uses: a prefix scan, counted. */
    private final class MapStore implements ReadOnlyKeyValueStore<String, Long> {
        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<String, Long> prefixScan(P prefix, PS serializer) {
            reads++;
            String p = (String) prefix;
            Iterator<Map.Entry<String, Long>> it = new ArrayList<>(totals.subMap(p, p + "\uffff").entrySet()).iterator();
            return new KeyValueIterator<>() {
                public boolean hasNext() { return it.hasNext(); }
                public KeyValue<String, Long> next() { var e = it.next(); return KeyValue.pair(e.getKey(), e.getValue()); }
                public void close() { }
                public String peekNextKey() { throw new UnsupportedOperationException(); }
            };
        }

        public Long get(String key) { throw new UnsupportedOperationException("the view reads whole lanes"); }
        public KeyValueIterator<String, Long> range(String from, String to) { throw new UnsupportedOperationException(); }
        public KeyValueIterator<String, Long> all() { throw new UnsupportedOperationException(); }
        public long approximateNumEntries() { return totals.size(); }
    }
}
