package io.waybill.planner.auth;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;

/**
 * The bearer-token parser Quarkus' JWT authentication uses ({@code MpJwtValidator} injects a
 * {@link JWTParser}): smallrye-jwt's own (its settings are injected into it as into the original),
 * with the tokens it verified kept for a while ({@link VerifiedTokens}). Only {@link #parse(String)},
 * the request path, is cached; the other methods take their own keys or settings and stay as they are.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser extends DefaultJWTParser {

    @ConfigProperty(name = "waybill.planner.verified-tokens.max-age", defaultValue = "PT60S")
    Duration maxAge;

    @ConfigProperty(name = "waybill.planner.verified-tokens.max-size", defaultValue = "10000")
    long maxSize;

    private VerifiedTokens verified;

    @PostConstruct
    void open() {
        verified = new VerifiedTokens(super::parse, maxAge, maxSize);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        return verified.verify(token);
    }
}
