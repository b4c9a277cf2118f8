package io.waybill.gateway.auth;

import io.quarkus.runtime.Startup;
import io.quarkus.security.identity.SecurityIdentity;
import io.waybill.gateway.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The registered warehouse sources and who a request comes from: an {@code X-Api-Key} whose
 * SHA-256 matches a registered source, or a bearer JWT (verified by quarkus-smallrye-jwt) with the
 * warehouse role whose principal name is a registered source. Config holds only key hashes.
 */
@ApplicationScoped
@Startup // a malformed source registration stops the gateway at start, not at the first request
public class Sources {

    private static final Logger LOG = Logger.getLogger(Sources.class);
    public static final String API_KEY_HEADER = "X-Api-Key";

    /** A source allowed to report, for which facilities, and which events that name no facility. */
    public record Source(String name, Set<String> facilities, Set<String> unlocatedEventTypes) {
        public Source(String name, Set<String> facilities) {
            this(name, facilities, Set.of());
        }

        public boolean mayReportFor(String facilityId) {
            return facilities.contains("*") || facilities.contains(facilityId);
        }

        /** An event that names no facility (a delivery, a cancellation) is only taken from a source trusted with its type. */
        public boolean mayReportWithoutFacility(String eventType) {
            return facilities.contains("*") || unlocatedEventTypes.contains("*") || unlocatedEventTypes.contains(eventType);
        }
    }

    /** 401: no credentials, or credentials that match no source. */
    public static final class NotAuthenticatedException extends Exception {
        public NotAuthenticatedException(String message) {
            super(message);
        }
    }

    /** 403: authenticated, but not as a warehouse source. */
    public static final class NotAuthorisedException extends Exception {
        public NotAuthorisedException(String message) {
            super(message);
        }
    }

    private final boolean enabled;
    private final String role;
    private final Source anonymous;
    private final Map<String, Source> byName = new TreeMap<>();
    private final Map<String, byte[]> keyHashes = new TreeMap<>();

    @Inject
    public Sources(GatewayConfig config) {
        this.enabled = config.auth().enabled();
        this.role = config.auth().role();
        this.anonymous = new Source(config.auth().anonymousSource(), Set.of("*"));
        config.sources().forEach((name, source) -> {
            Set<String> facilities = source.facilities().stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            Set<String> unlocated = source.unlocatedEventTypes().orElse(List.of()).stream().map(String::trim)
                    .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            byName.put(name, new Source(name, facilities, unlocated));
            source.apiKeyHash().ifPresent(hash -> {
                if (!hash.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException("waybill.gateway.sources." + name + ".api-key-hash must be the SHA-256 of the key in hex (64 characters)");
                }
                keyHashes.put(name, HexFormat.of().parseHex(hash.toLowerCase()));
            });
        });
        if (!enabled) LOG.warn("authentication of sources is OFF (waybill.gateway.auth.enabled=false): every request reports as '" + anonymous.name() + "'");
        else LOG.infof("%d registered source(s): %s", byName.size(), byName.keySet());
    }

    public boolean enabled() {
        return enabled;
    }

    /** Who sent the request, from its API key or its already verified JWT. */
    public Source authenticate(String apiKey, SecurityIdentity identity) throws NotAuthenticatedException, NotAuthorisedException {
        if (!enabled) return anonymous;
        if (apiKey != null && !apiKey.isBlank()) {
            byte[] presented = sha256(apiKey.trim());
            // Compare with every hash in constant time, so timing does not tell which source is close.
            String match = null;
            for (var entry : keyHashes.entrySet()) {
                if (MessageDigest.isEqual(presented, entry.getValue())) match = entry.getKey();
            }
            if (match == null) throw new NotAuthenticatedException("the API key matches no registered source");
            return byName.get(match);
        }
        if (identity != null && !identity.isAnonymous()) {
            String name = identity.getPrincipal().getName();
            if (!identity.hasRole(role)) {
                throw new NotAuthorisedException("the token of '" + name + "' lacks the role '" + role + "'");
            }
            Source source = byName.get(name);
            if (source == null) {
                throw new NotAuthorisedException("'" + name + "' is not a registered source (waybill.gateway.sources." + name + ".facilities)");
            }
            return source;
        }
        throw new NotAuthenticatedException("send an API key in " + API_KEY_HEADER + " or a bearer token with the role '" + role + "'");
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The hash to put in {@code waybill.gateway.sources.<name>.api-key-hash} for a key. */
    public static String hashOf(String apiKey) {
        return HexFormat.of().formatHex(sha256(apiKey));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
