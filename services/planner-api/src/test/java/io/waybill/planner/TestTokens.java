package io.waybill.planner;

import io.smallrye.jwt.build.Jwt;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Bearer tokens for tests, signed with the test key pair in src/test/resources (the %test profile
 * verifies with its public half). {@code TestTokens.forRole("viewer")}, "planner" or "admin".
 */
public final class TestTokens {

    public static final String ISSUER = "https://waybill.test/issuer";
    private static final String PRIVATE_KEY = "test-jwt-private.pem";

    private TestTokens() {
    }

    /** A valid token for one hour, with the subject {@code test-<role>}. */
    public static String forRole(String role) {
        return forRole(role, "test-" + role);
    }

    /** A valid token for one hour, with the given subject. */
    public static String forRole(String role, String subject) {
        return Jwt.subject(subject).upn(subject).groups(Set.of(role)).issuer(ISSUER).expiresIn(Duration.ofHours(1)).sign(PRIVATE_KEY);
    }

    /** A token that expired an hour ago. */
    public static String expired(String role) {
        Instant now = Instant.now();
        return Jwt.subject("test-" + role).groups(Set.of(role)).issuer(ISSUER)
                .issuedAt(now.minus(Duration.ofHours(2))).expiresAt(now.minus(Duration.ofHours(1))).sign(PRIVATE_KEY);
    }

    /** A token whose signature does not match its content. */
    public static String badSignature(String role) {
        String token = forRole(role);
        int dot = token.lastIndexOf('.');
        String signature = token.substring(dot + 1);
        char first = signature.charAt(0) == 'A' ? 'B' : 'A';
        return token.substring(0, dot + 1) + first + signature.substring(1);
    }

    /** The value of an Authorization header. */
    public static String bearer(String role) {
        return "Bearer " + forRole(role);
    }
}
