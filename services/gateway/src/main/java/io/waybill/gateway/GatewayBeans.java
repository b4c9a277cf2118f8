package io.waybill.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.waybill.gateway.epcis.EpcisMapper;
import io.waybill.gateway.spool.EventSpool;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The gateway's plain-Java parts, configured from {@link GatewayConfig}. */
public class GatewayBeans {

    private static final Logger LOG = Logger.getLogger(GatewayBeans.class);

    @Produces
    @Singleton
    EventSpool spool(GatewayConfig config, MeterRegistry metrics) {
        try {
            EventSpool spool = EventSpool.open(config.spoolDir(), config.spoolMaxBytes().asLongValue());
            EventSpool.Recovery found = spool.recovery();
            LOG.infof("spool %s: %d event(s) waiting, at most %d bytes%s", spool.directory(), found.events(), spool.capacityBytes(),
                    found.tornBytesDropped() > 0 ? "; dropped a torn last record of " + found.tornBytesDropped() + " bytes" : "");
            Gauge.builder("waybill.gateway.spool.depth", spool, EventSpool::depthEvents)
                    .description("events in the gateway's spool waiting for Kafka").register(metrics);
            Gauge.builder("waybill.gateway.spool.bytes", spool, EventSpool::depthBytes)
                    .description("bytes of the events in the gateway's spool").register(metrics);
            Gauge.builder("waybill.gateway.spool.capacity", spool, EventSpool::capacityBytes)
                    .description("the spool's upper bound in bytes").register(metrics);
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool in " + config.spoolDir().toAbsolutePath()
                    + " (waybill.gateway.spool-dir): " + e.getMessage(), e);
        }
    }

    void closeSpool(@Disposes EventSpool spool) {
        spool.close();
    }

    @Produces
    @Singleton
    RecentEventIds recentEventIds(GatewayConfig config, EventSpool spool) {
        RecentEventIds recent = new RecentEventIds(config.dedupeWindow(), config.dedupeMaxEntries(), Duration.ofSeconds(20));
        // Events left in the spool by an earlier run were accepted: a resend must not spool them again.
        try {
            List<String> spooled = new ArrayList<>();
            spool.forEachEvent(e -> spooled.add(e.getEventId()));
            recent.remember(spooled);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return recent;
    }

    @Produces
    @Singleton
    EventParser eventParser(GatewayConfig config) {
        return new EventParser(Clock.systemUTC(), config.maxEventAge());
    }

    @Produces
    @Singleton
    EpcisMapper epcisMapper(GatewayConfig config) {
        return new EpcisMapper(config.epcis().locations());
    }
}
