package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The network as the stream threads see it: an immutable {@link RoutingNetwork} rebuilt from the
 * global facility and lane stores only after they changed. The global thread bumps the version on
 * every update; stream threads rebuild lazily, so a burst of updates costs one rebuild.
 */
public final class NetworkSnapshots {

    private final AtomicLong version = new AtomicLong();
    private volatile Snapshot current;

    private record Snapshot(long version, RoutingNetwork network) {
    }

    /** Called by the global store updaters after each change. */
    public void changed() {
        version.incrementAndGet();
    }

    public long version() {
        return version.get();
    }

    public RoutingNetwork network(ReadOnlyKeyValueStore<String, Facility> facilities, ReadOnlyKeyValueStore<String, Lane> lanes) {
        long v = version.get();
        Snapshot s = current;
        if (s != null && s.version() == v) return s.network();
        synchronized (this) {
            s = current;
            if (s != null && s.version() == v) return s.network();
            RoutingNetwork network = RoutingNetwork.of(all(facilities), all(lanes));
            current = new Snapshot(v, network);
            return network;
        }
    }

    private static <V> List<V> all(ReadOnlyKeyValueStore<String, V> store) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null) values.add(kv.value);
            });
        }
        return values;
    }
}
