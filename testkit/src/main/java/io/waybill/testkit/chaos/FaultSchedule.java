package io.waybill.testkit.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The faults of a run, drawn from a seed: the same seed, counts and load duration give the same
 * schedule, so a failing run can be replayed. Faults are spread evenly over the load (one slot each,
 * in shuffled order, a random moment in the first half of the slot) and run one at a time.
 */
public final class FaultSchedule {

    private final long seed;
    private final List<Fault> faults;

    private FaultSchedule(long seed, List<Fault> faults) {
        this.seed = seed;
        this.faults = List.copyOf(faults);
    }

    /**
     * @param counts  how many faults of each kind
     * @param load    how long the load runs: the faults fall inside it
     * @param brokers brokers to pick from; {@code engines} engine instances to pick from
     */
    public static FaultSchedule draw(long seed, Map<Fault.Kind, Integer> counts, Duration load, int brokers, int engines) {
        Random random = new Random(seed);
        List<Fault.Kind> kinds = new ArrayList<>();
        counts.forEach((kind, n) -> {
            for (int i = 0; i < n; i++) kinds.add(kind);
        });
        Collections.shuffle(kinds, random);
        List<Fault> faults = new ArrayList<>();
        if (kinds.isEmpty()) return new FaultSchedule(seed, faults);
        // The first slot starts after 10 % of the load, so the system is measured healthy first.
        long lead = load.toMillis() / 10;
        long slot = (load.toMillis() - lead) / kinds.size();
        for (int i = 0; i < kinds.size(); i++) {
            Fault.Kind kind = kinds.get(i);
            long at = lead + i * slot + (long) (random.nextDouble() * slot / 2);
            int target = switch (kind) {
                case BROKER_KILL, BROKER_PAUSE -> random.nextInt(brokers);
                case ENGINE_KILL -> random.nextInt(engines);
                case GATEWAY_KILL, REGISTRY_KILL -> 0;
            };
            Duration down = switch (kind) {
                // Longer than the brokers' session timeout (9 s) and the engines' (10 s): the cluster must notice.
                case BROKER_KILL, ENGINE_KILL, REGISTRY_KILL -> Duration.ofSeconds(5 + random.nextInt(11));
                case BROKER_PAUSE -> Duration.ofSeconds(12 + random.nextInt(7));
                case GATEWAY_KILL -> Duration.ofSeconds(8 + random.nextInt(5));
            };
            faults.add(new Fault(i + 1, kind, target, Duration.ofMillis(at), down));
        }
        return new FaultSchedule(seed, faults);
    }

    public List<Fault> faults() {
        return faults;
    }

    public Map<Fault.Kind, Integer> counts() {
        Map<Fault.Kind, Integer> counts = new EnumMap<>(Fault.Kind.class);
        faults.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
        return counts;
    }

    public String describe() {
        StringBuilder b = new StringBuilder("fault schedule (seed " + seed + ", " + faults.size() + " faults: " + counts() + ")\n");
        faults.forEach(f -> b.append("  ").append(f.describe()).append('\n'));
        return b.toString();
    }
}
