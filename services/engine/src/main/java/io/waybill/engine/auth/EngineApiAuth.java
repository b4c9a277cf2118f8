package io.waybill.engine.auth;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Optional;

/**
 * The lock on the engine's internal API: every request to {@code /internal/...} must carry one of
 * the service tokens, else 401. The network policy is a second lock, not the only one: a compromised
 * pod in the namespace still cannot read shipments. {@code /q/health} and {@code /q/metrics} stay
 * open (kubelet probes and Prometheus; they hold no shipment data) and are not served by JAX-RS.
 *
 * <p>The engine does not start without a valid token: an engine that would answer anyone is worse
 * than one that is down.
 */
@ApplicationScoped
@Startup
public class EngineApiAuth {

    @ConfigProperty(name = ServiceTokens.TOKEN_PROPERTY)
    Optional<String> token;

    @ConfigProperty(name = ServiceTokens.ALSO_ACCEPTED_PROPERTY)
    Optional<List<String>> alsoAccepted;

    private ServiceTokens tokens;

    @PostConstruct
    void load() {
        try {
            tokens = ServiceTokens.of(token.orElse(null), alsoAccepted.orElse(List.of()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + ". The planner-api sends the same token (its "
                    + ServiceTokens.TOKEN_PROPERTY + "); scripts/run-local and the Helm chart make one.", e);
        }
        Log.infof("engine API: service token authentication on, %d token(s) accepted", tokens.acceptedCount());
    }

    /** What this instance sends when it forwards a query to a peer. */
    public String authorization() {
        return tokens.authorization();
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        if (tokens.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))) return Optional.empty();
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"waybill-engine\"")
                .type(MediaType.APPLICATION_JSON)
                .entity("{\"error\":\"the engine API needs a service token: Authorization: Bearer <service token>\"}")
                .build());
    }
}
