package io.waybill.topology;

import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Notification;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static io.waybill.topology.EngineDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timers against a reference model: a shipment walks A → H1 → B on the {@link EngineDriver} network
 * with random gaps between its scans (up to two days), the wall clock ticking every hour in
 * between, a random promise, and planners acknowledging at random. An independent model of the
 * rules (deadlines per status and leg, one active exception per type, escalation per policy,
 * automatic resolution) says which exceptions exist at the end, in which state, at which level,
 * how often they occurred and how many notifications went out. Each case is its own shipment in
 * one shared driver, whose clock only moves forward.
 */
class TimerPropertyTest {

    static final int CASES = 40;
    static final Duration TICK = Duration.ofHours(1);
    private static EngineDriver engine;
    private static Instant clock;

    @BeforeAll
    static void start() {
        engine = new EngineDriver().withDiamondNetwork();
        clock = T0;
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static LongStream seeds() {
        return LongStream.range(0, CASES).map(i -> 0x7133_0000L + i);
    }

    /** The steps of the walk: event type, facility, lane, transit minutes of the lane it leaves on. */
    private record Step(String type, String facility, String lane, int transit) {
    }

    private static final List<Step> WALK = List.of(
            new Step("ARRIVED", "A", null, 0), new Step("DEPARTED", "A", "A-H1", 60),
            new Step("ARRIVED", "H1", null, 0), new Step("DEPARTED", "H1", "H1-B", 120),
            new Step("ARRIVED", "B", null, 0), new Step("OUT_FOR_DELIVERY", "B", null, 0), new Step("DELIVERED", "B", null, 0));

    /** The model's view of one exception type. */
    private static final class Modelled {
        String status;
        Severity severity;
        int level;
        int occurrences;
        int sequence;
        Instant escalateAt;
        Duration within;
    }

    private static final class Model {
        final Map<ExceptionType, Modelled> exceptions = new EnumMap<>(ExceptionType.class);
        final Map<String, Instant> deadlines = new java.util.HashMap<>();
        int notifications;

        void raise(ExceptionType type, Severity severity, Duration within, Instant now) {
            Modelled m = exceptions.get(type);
            if (m != null && (m.status.equals("OPEN") || m.status.equals("ACKNOWLEDGED"))) {
                m.occurrences++;
                return;
            }
            Modelled fresh = new Modelled();
            fresh.status = "OPEN";
            fresh.severity = severity;
            fresh.occurrences = 1;
            fresh.sequence = m == null ? 1 : m.sequence + 1;
            fresh.within = within;
            fresh.escalateAt = now.plus(within);
            exceptions.put(type, fresh);
        }

        void resolve(ExceptionType type) {
            Modelled m = exceptions.get(type);
            if (m != null && (m.status.equals("OPEN") || m.status.equals("ACKNOWLEDGED"))) {
                m.status = "AUTO_RESOLVED";
                m.escalateAt = null;
            }
        }

        /** What a tick at {@code now} fires: deadlines due, then escalations due. */
        void tick(Instant now) {
            for (var d : List.copyOf(deadlines.entrySet())) {
                if (d.getValue().isAfter(now)) continue;
                deadlines.remove(d.getKey());
                switch (d.getKey()) {
                    case "DWELL" -> raise(ExceptionType.DWELL_EXCEEDED, Severity.MEDIUM, Duration.ofHours(8), now);
                    case "MISSED_SCAN" -> raise(ExceptionType.MISSED_SCAN, Severity.MEDIUM, Duration.ofHours(2), now);
                    case "SLA_BREACHED" -> raise(ExceptionType.SLA_BREACHED, Severity.HIGH, Duration.ofHours(1), now);
                    default -> {
                    }
                }
            }
            for (var e : exceptions.entrySet()) {
                Modelled m = e.getValue();
                if (m.status.equals("OPEN") && m.escalateAt != null && !m.escalateAt.isAfter(now)) {
                    m.severity = Severity.values()[Math.min(Severity.CRITICAL.ordinal(), m.severity.ordinal() + 1)];
                    m.level++;
                    m.escalateAt = m.severity == Severity.CRITICAL ? null : now.plus(m.within);
                    if (e.getKey() != ExceptionType.SLA_AT_RISK) notifications++;
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void timers_raise_escalate_and_resolve_exceptions_as_the_model_says(long seed) {
        Random random = new Random(seed);
        String id = "TP" + seed;
        Model model = new Model();
        Events s = new Events(id, clock);
        Instant promise = clock.plus(Duration.ofHours(10 + random.nextInt(70)));

        // given a booking now
        engine.pipe(at(s.created("A", "B", promise), clock));
        model.deadlines.put("DWELL", clock.plus(Duration.ofHours(48)));
        model.deadlines.put("SLA_BREACHED", promise);
        engine.notifications.readValuesToList();

        // when the shipment walks its route with random gaps, the clock ticking in between
        for (Step step : WALK) {
            Instant next = clock.plus(Duration.ofMinutes(5 + random.nextInt(random.nextInt(4) == 0 ? 2880 : 600)));
            while (clock.plus(TICK).isBefore(next)) tick(model, clock.plus(TICK));
            tick(model, next);
            if (random.nextInt(5) == 0) acknowledgeSomething(model, id, random);
            ShipmentEvent event = switch (step.type()) {
                case "ARRIVED" -> s.arrived(step.facility());
                case "DEPARTED" -> s.departed(step.facility(), step.lane());
                case "OUT_FOR_DELIVERY" -> s.outForDelivery(step.facility());
                default -> s.delivered("recipient");
            };
            engine.pipe(at(event, clock));
            apply(model, step, promise);
        }
        // and some more time passes after delivery
        for (int i = 0; i < 8; i++) tick(model, clock.plus(TICK));

        // then the engine agrees with the model
        List<Notification> sent = engine.notifications.readValuesToList().stream()
                .filter(n -> n.getShipmentId().equals(id) && n.getExceptionType() != ExceptionType.SLA_AT_RISK).toList();
        assertThat(sent).as("notifications").hasSize(model.notifications);
        for (ExceptionType type : List.of(ExceptionType.MISSED_SCAN, ExceptionType.DWELL_EXCEEDED, ExceptionType.SLA_BREACHED)) {
            ShipmentException actual = engine.exception(id, type);
            Modelled expected = model.exceptions.get(type);
            if (expected == null) {
                assertThat(actual).as(type + " should never have been raised").isNull();
                continue;
            }
            assertThat(actual).as(type.name()).isNotNull();
            assertThat(actual.getExceptionId()).as(type + " id").isEqualTo(id + ":" + type + ":" + expected.sequence);
            assertThat(actual.getStatus().name()).as(type + " status").isEqualTo(expected.status);
            assertThat(actual.getSeverity()).as(type + " severity").isEqualTo(expected.severity);
            assertThat(actual.getEscalationLevel()).as(type + " escalation level").isEqualTo(expected.level);
            assertThat(actual.getOccurrences()).as(type + " occurrences").isEqualTo(expected.occurrences);
        }
    }

    private static void tick(Model model, Instant to) {
        engine.advanceTo(to);
        clock = to;
        model.tick(to);
    }

    /** What the scan does in the model: its status deadlines and which conditions end. */
    private static void apply(Model model, Step step, Instant promise) {
        model.deadlines.remove("DWELL");
        model.deadlines.remove("MISSED_SCAN");
        model.resolve(ExceptionType.DWELL_EXCEEDED); // every scan of the walk changes the status
        switch (step.type()) {
            case "ARRIVED" -> {
                model.resolve(ExceptionType.MISSED_SCAN);
                model.deadlines.put("DWELL", clock.plus(Duration.ofHours(24)));
            }
            case "DEPARTED" -> {
                model.deadlines.put("DWELL", clock.plus(Duration.ofHours(36)));
                model.deadlines.put("MISSED_SCAN", clock.plus(Duration.ofMinutes(step.transit())).plus(Duration.ofHours(2)));
            }
            case "OUT_FOR_DELIVERY" -> model.deadlines.put("DWELL", clock.plus(Duration.ofHours(12)));
            default -> {
                model.deadlines.clear();
                model.resolve(ExceptionType.MISSED_SCAN);
                if (clock.isAfter(promise)) model.raise(ExceptionType.SLA_BREACHED, Severity.HIGH, Duration.ofHours(1), clock);
            }
        }
    }

    private static void acknowledgeSomething(Model model, String shipmentId, Random random) {
        List<ExceptionType> open = new ArrayList<>();
        model.exceptions.forEach((type, m) -> {
            if (m.status.equals("OPEN") && type != ExceptionType.SLA_AT_RISK) open.add(type);
        });
        if (open.isEmpty()) return;
        ExceptionType type = open.get(random.nextInt(open.size()));
        Modelled m = model.exceptions.get(type);
        engine.command(PlannerCommand.newBuilder().setCommandId("ack-" + shipmentId + "-" + type + "-" + m.sequence)
                .setShipmentId(shipmentId).setIssuedAt(clock).setIssuedBy("planner")
                .setPayload(new AcknowledgeExceptionCommand(shipmentId + ":" + type + ":" + m.sequence, null)).build());
        m.status = "ACKNOWLEDGED";
        m.escalateAt = null;
    }

    private static ShipmentEvent at(ShipmentEvent e, Instant when) {
        return ShipmentEvent.newBuilder(e).setOccurredAt(when).setRecordedAt(when).build();
    }
}
