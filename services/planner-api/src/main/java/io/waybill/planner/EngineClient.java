package io.waybill.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks the engine instances for shipment state. Any instance answers for any key (it forwards to
 * the owner), so the client spreads calls over the configured instances and moves on when one does
 * not answer. Every call is bounded: one deadline over the instances and a second round, a circuit
 * breaker and a bulkhead, so a slow engine never ties up the API's threads.
 */
@ApplicationScoped
public class EngineClient {

    /** The engines could not answer now; the caller should say 503 and when to retry. */
    public static final class EngineUnavailableException extends RuntimeException {
        public EngineUnavailableException(String message) {
            super(message);
        }
    }

    /** Set by an engine that answers from a standby replica while the active one restores. */
    public static final String STALE_HEADER = "X-Waybill-Stale";
    /** How many records the standby that answered is behind, with {@link #STALE_HEADER}. */
    public static final String LAG_HEADER = "X-Waybill-Lag-Records";

    /**
     * A definite answer of an engine: 200 with a body, 404, or 400 with the engine's reason; {@code stale}
     * (and {@code lagRecords}, when the engine said) if it came from a standby replica.
     */
    public record Answer(int status, JsonNode body, boolean stale, Long lagRecords) {
        public Answer(int status, JsonNode body) {
            this(status, body, false, null);
        }

        public boolean found() {
            return status == 200;
        }
    }

    /** Connections kept per engine instance: as many as the bulkhead lets calls in at once. */
    private static final int POOL_PER_ENGINE = 64;

    private final AtomicInteger next = new AtomicInteger();
    /**
     * Vert.x's pooled, non-blocking HTTP/1.1 client on the application's event loops; the calling
     * thread only waits for the answer. The JDK HttpClient it replaces topped out at 1.7-1.8k
     * requests/s against one engine from 16 threads here, a fifth of what the engine serves.
     */
    private HttpClient http;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "waybill.engine.urls")
    List<URI> engines;

    /** The engines' service token (the same waybill.engine.api-token as theirs): they answer no call without it. */
    @ConfigProperty(name = "waybill.engine.api-token")
    String apiToken;

    private String authorization;

    @ConfigProperty(name = "waybill.engine.request-timeout", defaultValue = "PT1.5S")
    Duration requestTimeout;

    @ConfigProperty(name = "waybill.engine.read-deadline", defaultValue = "PT4S")
    Duration readDeadline;

    @PostConstruct
    void open() {
        if (apiToken.isBlank()) throw new IllegalStateException("waybill.engine.api-token is blank: set the engines' service token");
        authorization = "Bearer " + apiToken.strip();
        http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                        .setKeepAlive(true).setKeepAliveTimeout(30).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(POOL_PER_ENGINE));
    }

    @PreDestroy
    void close() {
        if (http != null) http.close();
    }

    public Optional<JsonNode> shipment(String shipmentId) {
        Answer answer = get("/internal/shipments/" + encode(shipmentId));
        return answer.found() ? Optional.of(answer.body()) : Optional.empty();
    }

    /**
     * The facility's load over the next hours ({@code onHand}, {@code expectedInbound}, {@code openExceptions}),
     * or empty when the engines cannot say: the caller degrades instead of failing.
     */
    public Optional<JsonNode> facilityLoad(String facilityId, int hours) {
        try {
            Answer answer = get("/internal/facilities/" + encode(facilityId) + "/load?hours=" + hours);
            return answer.found() ? Optional.of(answer.body()) : Optional.empty();
        } catch (RuntimeException e) { // unavailable, timeout, open circuit, full bulkhead
            return Optional.empty();
        }
    }

    public Optional<JsonNode> history(String shipmentId) {
        Answer answer = get("/internal/shipments/" + encode(shipmentId) + "/history");
        return answer.found() ? Optional.of(answer.body()) : Optional.empty();
    }

    /**
     * One read, bounded by a single deadline ({@code waybill.engine.read-deadline}, 4 s): the instances
     * are asked in turn, each for at most {@code request-timeout} or what is left of the deadline, and
     * after every instance failed once, once more after a short jittered pause (a restarting instance
     * may answer then). Past the deadline the caller gets {@link EngineUnavailableException}, a 503. A
     * deadline rather than a timeout per retry: with SmallRye's Retry around Timeout the attempts added
     * up, and a chaos run saw a read take 9.8 s while an instance was paused. The outer timeout is a
     * backstop for a response body that stalls after its headers.
     */
    @Timeout(value = 6, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = EngineUnavailableException.class)
    @Bulkhead(value = 64)
    public Answer get(String pathAndQuery) {
        long deadline = System.nanoTime() + readDeadline.toNanos();
        int start = Math.floorMod(next.getAndIncrement(), engines.size());
        StringBuilder failures = new StringBuilder();
        for (int attempt = 0; attempt < 2 * engines.size(); attempt++) {
            if (attempt == engines.size() && !pause(deadline)) break;
            long remaining = deadline - System.nanoTime();
            if (remaining < MIN_ATTEMPT.toNanos()) break;
            URI engine = engines.get((start + attempt) % engines.size());
            Duration timeout = Duration.ofNanos(Math.min(requestTimeout.toNanos(), remaining));
            try {
                Reply reply = ask(engine.resolve(pathAndQuery), timeout);
                int status = reply.status();
                if (status == 200 || status == 404 || status == 400) {
                    boolean stale = "true".equalsIgnoreCase(reply.stale());
                    // The engine says -1 when it does not know the lag: then there is no number to pass on.
                    Long lag = Optional.ofNullable(reply.lagRecords()).flatMap(EngineClient::parseLong).filter(n -> n >= 0).orElse(null);
                    return new Answer(status, json.readTree(reply.body().getBytes()), stale, stale ? lag : null);
                }
                if (status == 401) {
                    // A configuration fault, not an outage: say so loudly, the caller still gets a 503.
                    Log.errorf("engine %s refused the planner-api's service token: waybill.engine.api-token"
                            + " must be the engines' token or one they also accept", engine);
                }
                failures.append(engine).append(" answered ").append(status).append("; ");
            } catch (IOException e) {
                failures.append(engine).append(": unreadable answer ").append(e.getClass().getSimpleName()).append("; ");
            } catch (ExecutionException e) {
                failures.append(engine).append(": ").append(e.getCause().getClass().getSimpleName()).append("; ");
            } catch (TimeoutException e) {
                failures.append(engine).append(": no answer within ").append(timeout.toMillis()).append(" ms; ");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted");
            }
        }
        throw new EngineUnavailableException("no engine instance could answer within " + readDeadline.toMillis() + " ms: " + failures);
    }

    /** What an engine answered: status, the two staleness headers, the body. */
    private record Reply(int status, String stale, String lagRecords, Buffer body) {
    }

    /**
     * One GET, waited for at most {@code timeout}: the connection may take {@link #CONNECT_TIMEOUT} of it,
     * and the request is closed by Vert.x when no data comes for that long, so nothing outlives the wait by much.
     */
    private Reply ask(URI uri, Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
                .putHeader(io.vertx.core.http.HttpHeaders.AUTHORIZATION, authorization)
                .setConnectTimeout(Math.min(CONNECT_TIMEOUT.toMillis(), timeout.toMillis())).setIdleTimeout(timeout.toMillis());
        return http.request(request)
                .compose(r -> r.send().compose(response -> response.body().map(body ->
                        new Reply(response.statusCode(), response.getHeader(STALE_HEADER), response.getHeader(LAG_HEADER), body))))
                .toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    /** Below this much time left an attempt is not worth starting. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(50);

    /** A short jittered pause before the second round; false when the deadline leaves no time for it. */
    private static boolean pause(long deadline) {
        long pause = Duration.ofMillis(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(100)).toNanos();
        if (deadline - System.nanoTime() < pause + MIN_ATTEMPT.toNanos()) return false;
        try {
            TimeUnit.NANOSECONDS.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineUnavailableException("interrupted");
        }
    }

    private static Optional<Long> parseLong(String s) {
        try {
            return Optional.of(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
