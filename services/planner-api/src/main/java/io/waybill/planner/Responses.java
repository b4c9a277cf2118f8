package io.waybill.planner;

import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** The API's error answers, one shape for all resources. */
public final class Responses {

    public record ErrorBody(String error) {
    }

    public record Rejected(String error, List<Violation> violations) {
    }

    private Responses() {
    }

    public static Response badRequest(String error, List<Violation> violations) {
        return Response.status(Response.Status.BAD_REQUEST).entity(new Rejected(error, violations)).build();
    }

    public static Response notFound(String error) {
        return Response.status(Response.Status.NOT_FOUND).entity(new ErrorBody(error)).build();
    }

    public static Response conflict(String error) {
        return Response.status(Response.Status.CONFLICT).entity(new ErrorBody(error)).build();
    }

    public static Response unavailable(String error, int retryAfterSeconds) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", Integer.toString(retryAfterSeconds))
                .entity(new ErrorBody(error)).build();
    }

    /** Engine trouble becomes 503 with Retry-After, never a hang or a 500. */
    public static Response degraded(Supplier<Response> call) {
        try {
            return call.get();
        } catch (EngineClient.EngineUnavailableException | TimeoutException | CircuitBreakerOpenException | BulkheadException e) {
            return unavailable("shipment state is unavailable right now: " + e.getMessage(), 2);
        }
    }

    /** Runs a publish; Kafka trouble becomes 503 with Retry-After, or null when it was accepted. */
    public static Response publishing(Runnable publish, String what) {
        try {
            publish.run();
            return null;
        } catch (KafkaPublisher.NotAcceptedException | TimeoutException | CircuitBreakerOpenException | BulkheadException e) {
            return unavailable(what + " was not accepted: " + e.getMessage(), 2);
        }
    }

    /** A command's id: random, or derived from the client's idempotency key so a retried POST is the same command. */
    public static String commandId(String shipmentId, String idempotencyKey) {
        return idempotencyKey == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes((shipmentId + "/" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Checks an optional idempotency key. */
    public static void checkIdempotencyKey(String idempotencyKey, List<Violation> violations) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            violations.add(new Violation("idempotencyKey", "must be 1-128 characters"));
        }
    }

    /** Any other engine answer, with its status and body as they are. */
    public static Response passThrough(EngineClient.Answer answer) {
        return withStaleHeaders(Response.status(answer.status()).entity(answer.body()), answer).build();
    }

    public static Response.ResponseBuilder withStaleHeaders(Response.ResponseBuilder response, EngineClient.Answer answer) {
        if (!answer.stale()) return response;
        response.header(EngineClient.STALE_HEADER, "true");
        if (answer.lagRecords() != null) response.header(EngineClient.LAG_HEADER, Long.toString(answer.lagRecords()));
        return response;
    }
}
