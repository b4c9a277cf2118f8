package io.waybill.planner.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokensTest {

    private static final Instant T0 = Instant.parse("2026-12-08T08:00:00Z");

    /** A wall clock and a Caffeine ticker that move together. */
    private static final class FakeTime extends Clock implements Ticker {
        Instant now = T0;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public long read() {
            return Duration.between(Instant.EPOCH, now).toNanos();
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** A verifier that knows valid tokens by name and what they expire at, and counts its calls. */
    private static final class CountingVerifier implements VerifiedTokens.Verifier {
        final Map<String, Instant> valid = new HashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final FakeTime time;

        CountingVerifier(FakeTime time) {
            this.time = time;
        }

        @Override
        public JsonWebToken verify(String token) throws ParseException {
            calls.incrementAndGet();
            Instant exp = valid.get(token);
            if (exp == null) throw new ParseException("signature does not verify with the configured key");
            if (!time.now.isBefore(exp)) throw new ParseException("the token expired at " + exp);
            return principal(token, exp);
        }
    }

    private final FakeTime time = new FakeTime();
    private final CountingVerifier verifier = new CountingVerifier(time);
    private final VerifiedTokens tokens = new VerifiedTokens(verifier, Duration.ofSeconds(60), 1_000, time, time);

    @Test
    void a_token_sent_again_is_verified_once() throws Exception {
        // given a valid token for an hour
        verifier.valid.put("token-a", T0.plus(Duration.ofHours(1)));

        // when it comes with three requests within a minute
        JsonWebToken first = tokens.verify("token-a");
        time.advance(Duration.ofSeconds(30));
        tokens.verify("token-a");
        JsonWebToken third = tokens.verify("token-a");

        // then its signature was checked once and every request has its principal
        assertThat(verifier.calls).hasValue(1);
        assertThat(third.getName()).isEqualTo(first.getName()).isEqualTo("token-a");
    }

    @Test
    void a_kept_token_is_verified_again_after_the_maximum_age() throws Exception {
        verifier.valid.put("token-a", T0.plus(Duration.ofHours(1)));
        tokens.verify("token-a");

        time.advance(Duration.ofSeconds(61));
        tokens.verify("token-a");

        assertThat(verifier.calls).hasValue(2);
    }

    @Test
    void a_token_is_not_served_from_the_cache_once_it_expired() throws Exception {
        // given a token that expires 10 s from now, verified once
        verifier.valid.put("token-b", T0.plusSeconds(10));
        tokens.verify("token-b");

        // when it comes again 11 s later
        time.advance(Duration.ofSeconds(11));

        // then it is verified again, and refused
        assertThatThrownBy(() -> tokens.verify("token-b")).isInstanceOf(ParseException.class).hasMessageContaining("expired");
        assertThat(verifier.calls).hasValue(2);
    }

    @Test
    void a_token_that_fails_verification_is_never_kept() {
        // given a token signed with another key (the verifier does not know it)
        // when it comes twice
        assertThatThrownBy(() -> tokens.verify("forged")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> tokens.verify("forged")).isInstanceOf(ParseException.class);

        // then both were checked and refused, and nothing is kept
        assertThat(verifier.calls).hasValue(2);
        assertThat(tokens.size()).isZero();
    }

    @Test
    void tokens_are_told_apart_exactly() throws Exception {
        // given a valid token, and one that differs in the last character of its signature
        verifier.valid.put("header.claims.signatureA", T0.plus(Duration.ofHours(1)));
        tokens.verify("header.claims.signatureA");

        // then the near copy is verified on its own, and refused
        assertThatThrownBy(() -> tokens.verify("header.claims.signatureB")).isInstanceOf(ParseException.class);
        assertThat(verifier.calls).hasValue(2);
    }

    @Test
    void no_token_is_kept_when_the_cache_has_no_room() throws Exception {
        VerifiedTokens uncached = new VerifiedTokens(verifier, Duration.ofSeconds(60), 0, time, time);
        verifier.valid.put("token-a", T0.plus(Duration.ofHours(1)));

        uncached.verify("token-a");
        uncached.verify("token-a");

        assertThat(verifier.calls).hasValue(2);
    }

    private static JsonWebToken principal(String name, Instant exp) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Set<String> getClaimNames() {
                return Set.of("exp", "sub");
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claim) {
                return switch (claim) {
                    case "exp" -> (T) Long.valueOf(exp.getEpochSecond());
                    case "sub" -> (T) name;
                    default -> null;
                };
            }
        };
    }
}
