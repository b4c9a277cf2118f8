package io.waybill.planner.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Bearer tokens already verified, so that a client sending the same token on every request pays for
 * its RSA signature check once instead of on every request (18 % of the planner-api's CPU under load).
 *
 * <p>What is kept, and for how long: the verified token's principal, keyed by the SHA-256 of the token
 * (an attacker-chosen string is never compared with a stored one), until the token's own {@code exp}
 * or {@code maxAge} (60 s by default), whichever is sooner. A token that fails verification is never
 * kept, so a wrong key, a forged signature, a wrong issuer or an expired token is refused on every
 * request as before. The price: a verification key withdrawn at the identity provider (a JWKS
 * rotation) stops being trusted up to {@code maxAge} later here; JWTs cannot be revoked anyway.
 */
public final class VerifiedTokens {

    /** The real verification: signature, issuer, audience, expiry. */
    @FunctionalInterface
    public interface Verifier {
        JsonWebToken verify(String token) throws ParseException;
    }

    private final Verifier verifier;
    private final Clock clock;
    private final Duration maxAge;
    private final Cache<String, JsonWebToken> verified;

    /** A cache of at most {@code maxSize} tokens; {@code maxSize} 0 keeps none (every request is verified). */
    public VerifiedTokens(Verifier verifier, Duration maxAge, long maxSize) {
        this(verifier, maxAge, maxSize, Clock.systemUTC(), Ticker.systemTicker());
    }

    VerifiedTokens(Verifier verifier, Duration maxAge, long maxSize, Clock clock, Ticker ticker) {
        this.verifier = verifier;
        this.clock = clock;
        this.maxAge = maxAge;
        // maxSize 0 keeps none: Caffeine would take the entry and evict it later, on its own executor.
        // Maintenance runs on the caller: it is small, and the cache's size and expiry stay exact.
        this.verified = maxSize == 0 ? null : Caffeine.newBuilder().maximumSize(maxSize).ticker(ticker).executor(Runnable::run).expireAfter(new Expiry<String, JsonWebToken>() {
            @Override
            public long expireAfterCreate(String key, JsonWebToken token, long currentTime) {
                return lifetime(token).toNanos();
            }

            @Override
            public long expireAfterUpdate(String key, JsonWebToken token, long currentTime, long currentDuration) {
                return lifetime(token).toNanos();
            }

            @Override
            public long expireAfterRead(String key, JsonWebToken token, long currentTime, long currentDuration) {
                return currentDuration; // reading a token does not make it live longer
            }
        }).build();
    }

    /** The principal of {@code token}, verified now or within the last {@code maxAge} and not expired since. */
    public JsonWebToken verify(String token) throws ParseException {
        if (verified == null) return verifier.verify(token);
        String key = digest(token);
        JsonWebToken known = verified.getIfPresent(key);
        if (known != null) {
            long exp = expiresAt(known);
            if (exp == 0 || clock.instant().getEpochSecond() < exp) return known;
            verified.invalidate(key); // the ticker and the wall clock disagree: the wall clock decides
        }
        JsonWebToken fresh = verifier.verify(token);
        if (!lifetime(fresh).isZero()) verified.put(key, fresh);
        return fresh;
    }

    long size() {
        if (verified == null) return 0;
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private Duration lifetime(JsonWebToken token) {
        long exp = expiresAt(token);
        Duration untilExpiry = exp <= 0 ? maxAge : Duration.ofSeconds(exp).minusMillis(clock.millis());
        Duration lifetime = untilExpiry.compareTo(maxAge) < 0 ? untilExpiry : maxAge;
        return lifetime.isNegative() ? Duration.ZERO : lifetime;
    }

    /** The token's {@code exp} in epoch seconds, 0 if it has none. */
    private static long expiresAt(JsonWebToken token) {
        return token.getClaim("exp") instanceof Number exp ? exp.longValue() : 0;
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
