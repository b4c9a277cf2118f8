package io.waybill.testkit.chaos;

import java.time.Duration;

/**
 * One fault of a chaos run: what is done to which process, when (seconds into the load) and for how
 * long it stays broken before it is repaired.
 */
public record Fault(int number, Kind kind, int target, Duration at, Duration downFor) {

    public enum Kind {
        /** kill -9 of one broker, restarted after {@code downFor} (never two at once, so min ISR 2 holds). */
        BROKER_KILL,
        /** SIGSTOP of one broker for longer than its session timeout, then SIGCONT: a zombie, not a corpse. */
        BROKER_PAUSE,
        /** kill -9 of one engine instance, restarted after {@code downFor}. */
        ENGINE_KILL,
        /** Every broker stopped so the gateway spools, the gateway killed with a non-empty spool, both restarted. */
        GATEWAY_KILL,
        /** kill -9 of the schema registry, restarted after {@code downFor}. */
        REGISTRY_KILL
    }

    public String describe() {
        String what = switch (kind) {
            case BROKER_KILL -> "kill -9 broker " + (target + 1);
            case BROKER_PAUSE -> "SIGSTOP broker " + (target + 1);
            case ENGINE_KILL -> "kill -9 engine " + (target + 1);
            case GATEWAY_KILL -> "stop all brokers, kill -9 the gateway with a non-empty spool";
            case REGISTRY_KILL -> "kill -9 the registry";
        };
        return String.format("#%d at +%ds: %s, repaired after %ds", number, at.toSeconds(), what, downFor.toSeconds());
    }
}
