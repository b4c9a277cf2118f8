package io.waybill.engine;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Calls another engine instance (the owner of a key, or a peer in a scatter-gather), with a bounded wait. */
@ApplicationScoped
public class OwnerForwarder {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @ConfigProperty(name = "waybill.engine.forward-timeout", defaultValue = "PT2S")
    Duration timeout;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String self;

    @jakarta.inject.Inject
    org.apache.kafka.streams.KafkaStreams streams;

    /** Peers refuse a forwarded query without the service token, like any other caller's. */
    @jakarta.inject.Inject
    io.waybill.engine.auth.EngineApiAuth auth;

    /** This instance as host:port, as the other instances and the metadata name it. */
    public String self() {
        return self;
    }

    public boolean isSelf(HostInfo host) {
        return name(host).equals(self);
    }

    public static String name(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    /** The other running instances, for a scatter-gather. */
    public java.util.List<org.apache.kafka.streams.StreamsMetadata> peers() {
        return streams.metadataForAllStreamsClients().stream().filter(m -> !isSelf(m.hostInfo())).toList();
    }

    /** Relays the owner's answer to {@code pathAndQuery}, or 503 if it does not answer in time. */
    public Response forward(HostInfo owner, String pathAndQuery) {
        Optional<HttpResponse<String>> response = call(owner, pathAndQuery);
        if (response.isEmpty()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                    .entity(new ShipmentQueryResource.ErrorBody("owner " + owner.host() + ":" + owner.port() + " did not answer"))
                    .build();
        }
        HttpResponse<String> r = response.get();
        Response.ResponseBuilder relayed = Response.status(r.statusCode()).entity(r.body()).type(MediaType.APPLICATION_JSON);
        r.headers().firstValue(ShipmentQueryResource.SERVED_BY).ifPresent(v -> relayed.header(ShipmentQueryResource.SERVED_BY, v));
        r.headers().firstValue("Retry-After").ifPresent(v -> relayed.header("Retry-After", v));
        r.headers().firstValue(ShipmentQueryResource.STALE).ifPresent(v -> relayed.header(ShipmentQueryResource.STALE, v));
        r.headers().firstValue(ShipmentQueryResource.LAG).ifPresent(v -> relayed.header(ShipmentQueryResource.LAG, v));
        return relayed.build();
    }

    /** The raw answer of another instance, or empty when it cannot be reached in time. */
    public Optional<HttpResponse<String>> call(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            return Optional.of(http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Authorization", auth.authorization()).GET().build(), HttpResponse.BodyHandlers.ofString()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
