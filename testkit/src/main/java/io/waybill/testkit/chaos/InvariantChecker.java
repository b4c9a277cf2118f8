package io.waybill.testkit.chaos;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Notification;
import io.waybill.contract.RoutingInstruction;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.shipment.WorkflowReferenceModel;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Checks, after the load has stopped and the system has settled, what Waybill promises, from the
 * outside: every output topic read read_committed from its beginning, compared with what the harness
 * had acknowledged and with a reference model of the workflow that shares no code with the engine
 * ({@link WorkflowReferenceModel}, the property tests' model).
 *
 * <ul>
 * <li>every shipment's final state equals the model's fold of its acknowledged events: status, events
 *     applied and rejected (an event lost or applied twice changes these counts), last facility; and
 *     in a sample of histories read back from the engine, each acknowledged event once;</li>
 * <li>a shipment's state never goes back (applied + rejected + commands never decrease from one state
 *     record to the next) and no state record repeats the one before it (a step emitted twice);</li>
 * <li>each routing instruction and each notification exists once (their ids name the step: an
 *     instruction's id ends with the length of the history at its decision);
 *     no exception record repeats (same exception, status, occurrences and escalation level);</li>
 * <li>each stalled shipment whose promise passed has exactly one SLA_BREACHED exception, and once its
 *     escalation time passed, exactly one notification of it (timer-driven, both);</li>
 * <li>the dead-letter topic holds the records the harness meant for it, each once, and nothing else.</li>
 * </ul>
 */
final class InvariantChecker {

    /** The outcome: violations (empty when every invariant holds) and what was counted. */
    record Result(List<String> violations, Map<String, Long> counts) {
        boolean passed() {
            return violations.isEmpty();
        }
    }

    private static final int MAX_LISTED = 25;

    private final String bootstrap;
    private final String engineUrl;
    private final String engineAuthorization;
    private final WaybillSerdes serdes;

    /**
     * @param engineUrl           an engine instance's query API, for the histories; null reads none
     * @param engineAuthorization the {@code Authorization} header the engine API wants
     */
    InvariantChecker(String bootstrap, String registryUrl, String engineUrl, String engineAuthorization) {
        this.bootstrap = bootstrap;
        this.engineUrl = engineUrl;
        this.engineAuthorization = engineAuthorization;
        this.serdes = WaybillSerdes.withRegistry(registryUrl);
    }

    Result check(Map<String, List<ShipmentEvent>> acknowledged, Set<String> uncertainShipments, List<ChaosLoad.Stalled> stalled,
                 Instant promisesCheckedUpTo, List<ChaosLoad.Poison> poisons) {
        Violations v = new Violations();
        Map<String, Long> counts = new java.util.TreeMap<>();

        // States: the last per shipment, and every step checked against the one before.
        Map<String, ShipmentState> last = new HashMap<>();
        Map<String, String> lastSignature = new HashMap<>();
        long[] stateRecords = {0};
        read(WaybillTopic.SHIPMENT_STATE.topicName(), serdes.value(ShipmentState.class).deserializer(), (key, s) -> {
            stateRecords[0]++;
            if (s == null) {
                last.remove(key);
                return;
            }
            ShipmentState before = last.get(key);
            if (before != null && progress(s) < progress(before)) {
                v.add("state-went-back", key + ": " + progress(before) + " events/commands folded, then " + progress(s));
            }
            String signature = signature(s);
            if (signature.equals(lastSignature.get(key))) v.add("state-step-twice", key + ": the same state twice in a row: " + brief(s));
            lastSignature.put(key, signature);
            last.put(key, s);
        });
        counts.put("state records", stateRecords[0]);

        long compared = 0;
        long events = 0;
        for (var entry : acknowledged.entrySet()) {
            String id = entry.getKey();
            if (id.startsWith("CHAOS-MISMATCH-") || uncertainShipments.contains(id)) continue;
            events += entry.getValue().size();
            WorkflowReferenceModel.Result expected = WorkflowReferenceModel.run(entry.getValue());
            ShipmentState s = last.get(id);
            compared++;
            if (s == null) {
                v.add("lost", id + ": no state, " + entry.getValue().size() + " events acknowledged");
                continue;
            }
            long folded = s.getEventsApplied() + s.getEventsRejected();
            long expectedFolded = expected.applied() + expected.rejected();
            if (folded < expectedFolded) v.add("lost", id + ": " + folded + " events folded, " + expectedFolded + " acknowledged");
            if (folded > expectedFolded) v.add("applied-twice", id + ": " + folded + " events folded, " + expectedFolded + " acknowledged");
            if (!s.getStatus().name().equals(expected.status()) || s.getEventsApplied() != expected.applied()
                    || s.getEventsRejected() != expected.rejected() || !Objects.equals(s.getLastFacilityId(), expected.lastFacility())) {
                v.add("state-differs-from-model", id + ": engine " + s.getStatus() + " applied " + s.getEventsApplied() + " rejected "
                        + s.getEventsRejected() + " at " + s.getLastFacilityId() + "; model " + expected.status() + " applied "
                        + expected.applied() + " rejected " + expected.rejected() + " at " + expected.lastFacility());
            }
        }
        counts.put("shipments compared with the model", compared);
        checkHistories(acknowledged, uncertainShipments, v, counts);
        counts.put("acknowledged events compared", events);
        counts.put("shipments left out (an event never acknowledged)", (long) uncertainShipments.size());

        // Instructions and notifications: ids name the step, so each appears once.
        Map<String, Integer> instructions = new HashMap<>();
        read(WaybillTopic.ROUTING_INSTRUCTIONS.topicName(), serdes.value(RoutingInstruction.class).deserializer(),
                (key, i) -> instructions.merge(i.getInstructionId(), 1, Integer::sum));
        instructions.forEach((id, n) -> {
            if (n > 1) v.add("instruction-twice", id + " x" + n);
        });
        counts.put("routing instructions", (long) instructions.size());

        Map<String, Integer> notifications = new HashMap<>();
        Map<String, Set<String>> breachNotified = new HashMap<>();
        read(WaybillTopic.NOTIFICATIONS.topicName(), serdes.value(Notification.class).deserializer(), (key, n) -> {
            notifications.merge(n.getNotificationId(), 1, Integer::sum);
            if (n.getExceptionType() == ExceptionType.SLA_BREACHED) {
                breachNotified.computeIfAbsent(n.getShipmentId(), k -> new HashSet<>()).add(n.getNotificationId());
            }
        });
        notifications.forEach((id, n) -> {
            if (n > 1) v.add("notification-twice", id + " x" + n);
        });
        counts.put("notifications", (long) notifications.size());

        Map<String, Integer> exceptionSteps = new HashMap<>();
        Map<String, Set<String>> breaches = new HashMap<>();
        Map<String, Instant> breachDetected = new HashMap<>();
        long[] exceptionRecords = {0};
        read(WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(), serdes.value(ShipmentException.class).deserializer(), (key, e) -> {
            if (e == null) return;
            exceptionRecords[0]++;
            String step = e.getExceptionId() + " " + e.getStatus() + " occurrences " + e.getOccurrences() + " level " + e.getEscalationLevel()
                    + " ack " + e.getAcknowledgedAt() + " resolved " + e.getResolvedAt() + " snoozed " + e.getSnoozedUntil();
            exceptionSteps.merge(step, 1, Integer::sum);
            if (e.getType() == ExceptionType.SLA_BREACHED) {
                breaches.computeIfAbsent(e.getShipmentId(), k -> new HashSet<>()).add(e.getExceptionId());
                breachDetected.merge(e.getShipmentId(), e.getDetectedAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        });
        exceptionSteps.forEach((step, n) -> {
            if (n > 1) v.add("exception-step-twice", step + " x" + n);
        });
        counts.put("exception records", exceptionRecords[0]);

        long due = 0;
        for (ChaosLoad.Stalled s : stalled) {
            if (s.promise().isAfter(promisesCheckedUpTo) || uncertainShipments.contains(s.shipmentId())) continue;
            due++;
            int raised = breaches.getOrDefault(s.shipmentId(), Set.of()).size();
            if (raised != 1) v.add("timer-exception-not-once", s.shipmentId() + ": " + raised + " SLA_BREACHED exceptions (promise " + s.promise() + ")");
            // HIGH escalates once, to CRITICAL, ChaosLoad.ESCALATION after the breach was detected (which a lagging
            // engine does late): one notification.
            Instant detected = breachDetected.get(s.shipmentId());
            if (detected != null && !detected.plus(ChaosLoad.ESCALATION).isAfter(promisesCheckedUpTo)) {
                int notified = breachNotified.getOrDefault(s.shipmentId(), Set.of()).size();
                if (notified != 1) v.add("timer-notification-not-once", s.shipmentId() + ": " + notified + " SLA_BREACHED notifications");
            }
        }
        counts.put("stalled shipments whose promise passed", due);

        // Dead letters: only what the harness sent on purpose, each exactly once (read_committed).
        Set<String> meant = new HashSet<>();
        poisons.forEach(p -> meant.add(p.topic() + "-" + p.partition() + "@" + p.offset()));
        Map<String, Integer> found = new HashMap<>();
        read(WaybillTopic.DEAD_LETTERS.topicName(), serdes.value(DeadLetter.class).deserializer(), (key, d) -> {
            String where = d.getSourceTopic() + "-" + d.getSourcePartition() + "@" + d.getSourceOffset();
            found.merge(where, 1, Integer::sum);
            if (!meant.contains(where)) {
                v.add("unexpected-dead-letter", where + " " + d.getStage() + " in " + d.getFailedIn() + ": " + d.getErrorClass() + ": "
                        + d.getErrorMessage());
            }
        });
        meant.forEach(where -> {
            if (!found.containsKey(where)) v.add("poison-not-dead-lettered", where);
            // the harness's poisons are all on stream threads, whose dead letters go inside the task's transaction (KIP-1034)
            else if (found.get(where) > 1) v.add("dead-letter-written-twice", where + " " + found.get(where) + " times");
        });
        counts.put("dead letters", found.values().stream().mapToLong(Integer::longValue).sum());
        counts.put("dead letters written more than once", found.values().stream().filter(n -> n > 1).count());
        return new Result(v.list(), counts);
    }

    /** How many shipments' histories are read back from the engine (one HTTP query each). */
    static final int HISTORY_SAMPLE = 300;

    /**
     * A sample of histories, as the engine's query API serves them: each acknowledged event is in its
     * shipment's history exactly once as applied or rejected (a resend only as DUPLICATE), and nothing
     * else is there as applied or rejected.
     */
    private void checkHistories(Map<String, List<ShipmentEvent>> acknowledged, Set<String> uncertain, Violations v, Map<String, Long> counts) {
        if (engineUrl == null) return;
        List<String> ids = acknowledged.keySet().stream().filter(id -> !uncertain.contains(id) && !id.startsWith("CHAOS-MISMATCH-"))
                .sorted().toList();
        java.util.Random random = new java.util.Random(ids.size());
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        long read = 0;
        for (int n = 0; n < Math.min(HISTORY_SAMPLE, ids.size()); n++) {
            String id = ids.get(random.nextInt(ids.size()));
            try {
                var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(engineUrl + "/internal/shipments/" + id + "/history"))
                        .header("Authorization", engineAuthorization).timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    v.add("history-unreadable", id + ": the engine answered " + response.statusCode());
                    continue;
                }
                Map<String, Integer> folded = new HashMap<>();
                for (var entry : json.readTree(response.body()).path("entries")) {
                    String outcome = entry.path("outcome").asText();
                    boolean event = entry.path("kind").asText().equals("EVENT");
                    if (event && (outcome.equals("APPLIED") || outcome.equals("REJECTED"))) folded.merge(entry.path("id").asText(), 1, Integer::sum);
                }
                Set<String> expected = new HashSet<>();
                acknowledged.get(id).forEach(e -> expected.add(e.getEventId()));
                folded.forEach((eventId, times) -> {
                    if (times > 1) v.add("history-applied-twice", id + ": " + eventId + " x" + times);
                    if (!expected.contains(eventId)) v.add("history-unknown-entry", id + ": " + eventId + " was never acknowledged");
                });
                expected.forEach(eventId -> {
                    if (!folded.containsKey(eventId)) v.add("history-lost", id + ": " + eventId + " is not in the history");
                });
                read++;
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                v.add("history-unreadable", id + ": " + e);
            }
        }
        counts.put("histories read back from the engine (sample)", read);
    }

    private static long progress(ShipmentState s) {
        return s.getEventsApplied() + s.getEventsRejected() + s.getCommandsApplied();
    }

    /** A state without the moment it was written: two records with the same signature are one step written twice. */
    private static String signature(ShipmentState s) {
        return ShipmentState.newBuilder(s).setUpdatedAt(Instant.EPOCH).build().toString();
    }

    private static String brief(ShipmentState s) {
        return s.getStatus() + " applied " + s.getEventsApplied() + " rejected " + s.getEventsRejected() + " commands "
                + s.getCommandsApplied() + " last event " + s.getLastEventId();
    }

    private <V> void read(String topic, Deserializer<V> deserializer, BiConsumer<String, V> each) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read " + topic + " to its end in 5 minutes");
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(r.key(), r.value() == null ? null : deserializer.deserialize(topic, r.headers(), r.value()));
                }
            }
        }
    }

    /** Violations by kind, the first few of each listed. */
    private static final class Violations {
        private final Map<String, List<String>> byKind = new java.util.TreeMap<>();

        void add(String kind, String detail) {
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(detail);
        }

        List<String> list() {
            List<String> out = new ArrayList<>();
            byKind.forEach((kind, details) -> {
                out.add(kind + ": " + details.size());
                details.stream().limit(MAX_LISTED).forEach(d -> out.add("  " + d));
            });
            return out;
        }
    }
}
