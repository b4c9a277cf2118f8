package io.waybill.topology.shipment;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The next shipments to re-plan: the index walks of all open {@link ReplanJob}s merged by urgency
 * (the index keys sort by promise within a prefix), at most {@code limit} of them. Reads only; the
 * processor re-plans and moves the cursors.
 */
final class ReplanWalk {

    record Step(ReplanJob job, String indexKey) {
    }

    private final List<Step> steps;
    private final Set<String> finished;

    private ReplanWalk(List<Step> steps, Set<String> finished) {
        this.steps = steps;
        this.finished = finished;
    }

    List<Step> steps() {
        return steps;
    }

    /** Whether the walk reached the end of this job's prefix (every step of it taken, the job is done). */
    boolean finished(String indexPrefix) {
        return finished.contains(indexPrefix);
    }

    private static final class Head {
        final ReplanJob job;
        final KeyValueIterator<String, String> rest;
        String key;

        Head(ReplanJob job, KeyValueIterator<String, String> rest, String key) {
            this.job = job;
            this.rest = rest;
            this.key = key;
        }

        String urgencyAndId() {
            return ShipmentIndex.urgencyAndId(key, job.indexPrefix());
        }
    }

    static ReplanWalk next(List<ReplanJob> jobs, ReadOnlyKeyValueStore<String, String> index, int limit) {
        List<Step> steps = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::urgencyAndId)
                .thenComparing(h -> h.job.indexPrefix()));
        try {
            for (ReplanJob job : jobs) {
                KeyValueIterator<String, String> it = index.range(job.from(), upperBound(job.indexPrefix()));
                String first = nextIn(it, job.indexPrefix());
                if (first == null) {
                    it.close();
                    finished.add(job.indexPrefix());
                } else {
                    heads.add(new Head(job, it, first));
                }
            }
            while (steps.size() < limit && !heads.isEmpty()) {
                Head head = heads.poll();
                steps.add(new Step(head.job, head.key));
                head.key = nextIn(head.rest, head.job.indexPrefix());
                if (head.key == null) {
                    head.rest.close();
                    finished.add(head.job.indexPrefix());
                } else {
                    heads.add(head);
                }
            }
        } finally {
            heads.forEach(h -> h.rest.close());
        }
        return new ReplanWalk(steps, finished);
    }

    private static String nextIn(KeyValueIterator<String, String> it, String prefix) {
        if (!it.hasNext()) return null;
        KeyValue<String, String> kv = it.next();
        return kv.key.startsWith(prefix) ? kv.key : null;
    }

    /** Every key under a prefix ending in '/' sorts below the prefix with that '/' raised to '0'. */
    private static String upperBound(String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
    }
}
