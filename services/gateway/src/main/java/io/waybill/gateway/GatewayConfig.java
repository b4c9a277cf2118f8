package io.waybill.gateway;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's settings under {@code waybill.gateway.*} (defaults and meaning in application.properties). */
@ConfigMapping(prefix = "waybill.gateway")
public interface GatewayConfig {

    /** Events in one request (a batch or what one EPCIS document maps to). */
    @WithDefault("500")
    int maxBatchSize();

    /**
     * How far back an event's occurredAt may lie. Older is refused: the engine re-folds a shipment's
     * history in occurredAt order, so a back-dated event would rewrite what planners already acted on,
     * and it is older than the window in which resends are recognised (the engine's dedupe window, P7D).
     */
    @WithDefault("P7D")
    Duration maxEventAge();

    /** Where accepted events wait while Kafka cannot be reached; one directory per gateway instance. */
    @WithDefault("gateway-spool")
    Path spoolDir();

    /** The spool's upper bound; a request that does not fit gets 503 with Retry-After. */
    @WithDefault("256M")
    MemorySize spoolMaxBytes();

    /** How long a stopping gateway keeps draining its spool to Kafka before it exits (within the pod's grace period). */
    @WithDefault("PT30S")
    Duration shutdownDrainTimeout();

    /** How many spooled events the drainer publishes in one go (whole batches). */
    @WithDefault("1000")
    int spoolDrainChunk();

    /** How long a resent eventId is recognised as a duplicate by this instance. */
    @WithDefault("PT10M")
    Duration dedupeWindow();

    /** At most this many recent eventIds are remembered (oldest evicted first; ~150 bytes each). */
    @WithDefault("200000")
    long dedupeMaxEntries();

    Kafka kafka();

    Auth auth();

    /** Registered sources by name: {@code waybill.gateway.sources.<name>.api-key-hash|facilities}. */
    Map<String, Source> sources();

    Epcis epcis();

    interface Kafka {
        /** The producer's delivery.timeout.ms: how long one send may be retried (see ShipmentEventPublisher). */
        @WithDefault("PT60S")
        Duration deliveryTimeout();
    }

    interface Auth {
        /** Off only for development: then every request acts as the source {@link #anonymousSource()}. */
        @WithDefault("true")
        boolean enabled();

        /** The JWT role a token must carry. */
        @WithDefault("warehouse")
        String role();

        /** The source name used while authentication is off. */
        @WithDefault("anonymous")
        String anonymousSource();
    }

    interface Source {
        /** SHA-256 (hex) of the source's API key; never the key itself. Absent: JWT only. */
        Optional<String> apiKeyHash();

        /** The facility ids the source may report for, or {@code *} for all. */
        List<String> facilities();

        /**
         * Event types that name no facility (DELIVERED, DELIVERY_ATTEMPT_FAILED, HELD, RELEASED,
         * CANCELLED, ADDRESS_CORRECTED) the source may report, or {@code *}: a courier app delivers,
         * a hub's scanners do not. A source registered for every facility ({@code *}) may report them all.
         */
        Optional<List<String>> unlocatedEventTypes();
    }

    interface Epcis {
        /**
         * EPCIS location ids (readPoint / bizLocation, e.g. {@code urn:epc:id:sgln:4012345.00001.0})
         * to Waybill facility ids: {@code waybill.gateway.epcis.locations."urn:epc:id:sgln:..."=BER-HUB}.
         */
        @WithName("locations")
        Map<String, String> locations();
    }
}
