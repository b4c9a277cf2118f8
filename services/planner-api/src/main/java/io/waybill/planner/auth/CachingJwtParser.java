package io.waybill.planner.auth;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;

/**
 * The bearer-token parser Quarkus' JWT authentication uses ({@code MpJwtValidator} injects a
 * {@link JWTParser}): smallrye-jwt's own, with the tokens it verified kept for a while
 * ({@link VerifiedTokens}). Only {@link #parse(String)}, the request path, is cached; the other
 * methods take their own keys or settings and go straight to smallrye-jwt.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private final DefaultJWTParser parser;
    private final VerifiedTokens verified;

    @Inject
    public CachingJwtParser(DefaultJWTParser parser,
                            @ConfigProperty(name = "waybill.planner.verified-tokens.max-age", defaultValue = "PT60S") Duration maxAge,
                            @ConfigProperty(name = "waybill.planner.verified-tokens.max-size", defaultValue = "10000") long maxSize) {
        this.parser = parser;
        this.verified = new VerifiedTokens(parser::parse, maxAge, maxSize);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        return verified.verify(token);
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return parser.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return parser.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return parser.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return parser.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return parser.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return parser.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return parser.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return parser.parseOnly(token);
    }
}
