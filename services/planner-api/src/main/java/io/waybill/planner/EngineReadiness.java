package io.waybill.planner;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Ready when at least one engine instance is ready: with none, the API has nothing to serve. */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @ConfigProperty(name = "waybill.engine.urls")
    List<URI> engines;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("engine");
        int ready = 0;
        for (URI engine : engines) {
            boolean up;
            try {
                up = http.send(HttpRequest.newBuilder(engine.resolve("/q/health/ready")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                up = false;
            }
            response.withData(engine.toString(), up ? "UP" : "DOWN");
            if (up) ready++;
        }
        return response.status(ready > 0).build();
    }
}
