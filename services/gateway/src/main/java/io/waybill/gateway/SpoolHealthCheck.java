package io.waybill.gateway;

import io.waybill.gateway.spool.EventSpool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness reports the spool. While Kafka is away the gateway stays ready, because accepting into
 * the spool is exactly what it is for; it is DOWN only while the spool is full (requests would get
 * 503), so a load balancer sends warehouses to another instance.
 */
@Readiness
@ApplicationScoped
public class SpoolHealthCheck implements HealthCheck {

    @Inject
    EventSpool spool;

    @Override
    public HealthCheckResponse call() {
        boolean full = spool.isFull();
        return HealthCheckResponse.named("gateway-spool")
                .status(!full)
                .withData("depthEvents", spool.depthEvents())
                .withData("depthBytes", spool.depthBytes())
                .withData("capacityBytes", spool.capacityBytes())
                .withData("mode", full ? "full: refusing events" : spool.isEmpty() ? "publishing to Kafka" : "spooling while Kafka catches up")
                .withData("directory", spool.directory().toString())
                .build();
    }
}
