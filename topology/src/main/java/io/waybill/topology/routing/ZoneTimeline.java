package io.waybill.topology.routing;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A time zone's offsets as arrays, so the planner converts between instants and local times with
 * a binary search instead of java.time objects in its inner loop. Times are epoch milliseconds;
 * a "local" time is the epoch milliseconds of the local date-time read as if it were UTC.
 *
 * <p>Local to instant follows {@link ZonedDateTime#of}: a local time in a gap (spring forward)
 * moves later by the gap's length, a local time in an overlap (fall back) takes the earlier
 * instant. Both come down to "use the offset before the transition" for local times up to the
 * transition plus the larger of the two offsets. Outside the tabulated years the zone rules are
 * asked directly.
 */
final class ZoneTimeline {

    static final long MINUTE = 60_000L;
    static final long DAY = 24 * 60 * MINUTE;

    private static final long TABLE_START = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    private static final long TABLE_END = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
    // Local times this close to the ends of the table are converted by the zone rules.
    private static final long MARGIN = 2 * DAY;

    private static final ConcurrentHashMap<ZoneId, ZoneTimeline> CACHE = new ConcurrentHashMap<>();

    private final ZoneId zone;
    private final ZoneRules rules;
    private final long[] transitions;
    private final long[] offsetBefore;
    private final long[] localLimit;
    private final long offsetAfterLast;
    private final long maxShift;

    private ZoneTimeline(ZoneId zone) {
        this.zone = zone;
        this.rules = zone.getRules();
        List<ZoneOffsetTransition> found = new ArrayList<>();
        Instant at = Instant.ofEpochMilli(TABLE_START);
        ZoneOffsetTransition t;
        while ((t = rules.nextTransition(at)) != null && t.getInstant().toEpochMilli() < TABLE_END) {
            found.add(t);
            at = t.getInstant();
        }
        transitions = new long[found.size()];
        offsetBefore = new long[found.size()];
        localLimit = new long[found.size()];
        long shift = 0;
        for (int i = 0; i < found.size(); i++) {
            ZoneOffsetTransition tr = found.get(i);
            long before = tr.getOffsetBefore().getTotalSeconds() * 1000L;
            long after = tr.getOffsetAfter().getTotalSeconds() * 1000L;
            transitions[i] = tr.getInstant().toEpochMilli();
            offsetBefore[i] = before;
            localLimit[i] = transitions[i] + Math.max(before, after);
            shift = Math.max(shift, Math.abs(after - before));
        }
        offsetAfterLast = found.isEmpty()
                ? rules.getOffset(Instant.ofEpochMilli(TABLE_START)).getTotalSeconds() * 1000L
                : found.get(found.size() - 1).getOffsetAfter().getTotalSeconds() * 1000L;
        maxShift = shift;
    }

    static ZoneTimeline of(ZoneId zone) {
        return CACHE.computeIfAbsent(zone, ZoneTimeline::new);
    }

    ZoneId zone() {
        return zone;
    }

    /** The largest jump of the zone's offset (0 for fixed zones): how far a departure's local time can be from its instant's. */
    long maxShift() {
        return maxShift;
    }

    /** The zone's offset at an instant, in milliseconds. */
    long offsetAt(long instant) {
        if (instant < TABLE_START || instant >= TABLE_END) {
            return rules.getOffset(Instant.ofEpochMilli(instant)).getTotalSeconds() * 1000L;
        }
        int i = firstGreater(transitions, instant);
        return i < transitions.length ? offsetBefore[i] : offsetAfterLast;
    }

    /** The instant of a local date-time, resolved as {@link ZonedDateTime#of} does. */
    long toInstant(long local) {
        if (local < TABLE_START + MARGIN || local >= TABLE_END - MARGIN) {
            LocalDateTime ldt = LocalDateTime.ofEpochSecond(Math.floorDiv(local, 1000L),
                    (int) Math.floorMod(local, 1000L) * 1_000_000, ZoneOffset.UTC);
            return ZonedDateTime.of(ldt, zone).toInstant().toEpochMilli();
        }
        int i = firstGreater(localLimit, local);
        return local - (i < localLimit.length ? offsetBefore[i] : offsetAfterLast);
    }

    /** Index of the first element greater than key (array length if none). */
    private static int firstGreater(long[] sorted, long key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] > key) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
