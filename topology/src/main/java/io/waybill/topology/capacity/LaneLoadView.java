package io.waybill.topology.capacity;

import io.waybill.contract.Lane;
import io.waybill.topology.routing.LaneCapacity;
import io.waybill.topology.routing.RoutingNetwork;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One task's view of the network-wide lane load, as the route planner asks it: a lane's bookings
 * per day are read from the lane-load store once (one prefix scan, every day of the lane) and then
 * answered from memory until the next {@link #refresh()}, which the processor calls every tick.
 *
 * <p>Why: the planner asks for room on every departure it considers. Asking the store each time
 * cost a RocksDB read, a date format and a string concatenation per question, ~2 ms per re-plan on
 * the 10x network. The store itself is seconds behind (deltas go through a topic and one
 * aggregator), so a view a tick old is no less exact; and the task's own bookings since the view
 * was read are added on top ({@link #booked}), so plans made in one burst see each other's
 * bookings, which reading the store did not.
 */
public final class LaneLoadView implements LaneCapacity {

    private static final long DAY_MILLIS = 86_400_000L;
    private static final StringSerializer KEYS = new StringSerializer();

    private final ReadOnlyKeyValueStore<String, Long> totals;
    private final Supplier<RoutingNetwork> network;
    private final Map<String, LaneDays> lanes = new HashMap<>();
    private RoutingNetwork networkSeen;

    public LaneLoadView(ReadOnlyKeyValueStore<String, Long> totals, Supplier<RoutingNetwork> network) {
        this.totals = totals;
        this.network = network;
    }

    @Override
    public boolean hasRoom(String laneId, java.time.Instant departure) {
        RoutingNetwork current = network.get();
        if (current != networkSeen) {
            // Capacities come from the network: a new snapshot may have changed them.
            lanes.clear();
            networkSeen = current;
        }
        LaneDays days = lanes.computeIfAbsent(laneId, id -> read(current, id));
        if (days.capacity <= 0) return true;
        return days.get(Math.floorDiv(departure.toEpochMilli(), DAY_MILLIS)) < days.capacity;
    }

    /** The task's own bookings and releases ("laneId@day" → ±n), counted into lanes already in view. */
    public void booked(Map<String, Long> deltas) {
        if (lanes.isEmpty()) return;
        deltas.forEach((key, delta) -> {
            int at = key.lastIndexOf('@');
            LaneDays days = lanes.get(key.substring(0, at));
            if (days != null && days.capacity > 0) days.add(LocalDate.parse(key.substring(at + 1)).toEpochDay(), delta);
        });
    }

    /** Forget what was read: the next question reads the store again. */
    public void refresh() {
        lanes.clear();
    }

    private LaneDays read(RoutingNetwork network, String laneId) {
        Lane lane = network.lane(laneId).orElse(null);
        LaneDays days = new LaneDays(lane == null ? 0 : lane.getDailyCapacity());
        if (days.capacity <= 0) return days;
        String prefix = laneId + "@";
        try (KeyValueIterator<String, Long> it = totals.prefixScan(prefix, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value != null) days.add(LocalDate.parse(kv.key.substring(prefix.length())).toEpochDay(), kv.value);
            }
        }
        return days;
    }

    /** A lane's capacity and its bookings per UTC day (a lane is booked on a few days: arrays beat a map). */
    private static final class LaneDays {
        final long capacity;
        long[] days = new long[0];
        long[] counts = new long[0];

        LaneDays(long capacity) {
            this.capacity = capacity;
        }

        long get(long day) {
            for (int i = 0; i < days.length; i++) if (days[i] == day) return counts[i];
            return 0;
        }

        void add(long day, long delta) {
            for (int i = 0; i < days.length; i++) {
                if (days[i] == day) {
                    counts[i] += delta;
                    return;
                }
            }
            days = Arrays.copyOf(days, days.length + 1);
            counts = Arrays.copyOf(counts, counts.length + 1);
            days[days.length - 1] = day;
            counts[counts.length - 1] = delta;
        }
    }
}
