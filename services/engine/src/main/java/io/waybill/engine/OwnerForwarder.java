package io.waybill.engine;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Forwards a key query to the engine instance that owns the key, with a bounded wait. */
@ApplicationScoped
public class OwnerForwarder {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @ConfigProperty(name = "waybill.engine.forward-timeout", defaultValue = "PT2S")
    Duration timeout;

    public Response forward(HostInfo owner, String shipmentId) {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/internal/shipments/"
                + URLEncoder.encode(shipmentId, StandardCharsets.UTF_8).replace("+", "%20") + "?forwarded=true");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Response.ResponseBuilder relayed = Response.status(response.statusCode()).entity(response.body())
                    .type(MediaType.APPLICATION_JSON);
            response.headers().firstValue(ShipmentQueryResource.SERVED_BY).ifPresent(v -> relayed.header(ShipmentQueryResource.SERVED_BY, v));
            response.headers().firstValue("Retry-After").ifPresent(v -> relayed.header("Retry-After", v));
            return relayed.build();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                    .entity(new ShipmentQueryResource.ErrorBody("owner " + owner.host() + ":" + owner.port()
                            + " did not answer: " + e.getClass().getSimpleName()))
                    .build();
        }
    }
}
