package io.waybill.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * The service tokens of the engine's internal API. The planner-api and the peer engines send one as
 * {@code Authorization: Bearer <token>}; anything else is refused. Further tokens can be accepted
 * beside it, so a token is rotated without downtime: (1) accept the new one as well, (2) send the new
 * one and accept the old one as well, (3) drop the old one; each step a rolling restart.
 *
 * <p>Only SHA-256 digests are kept, and a presented token is compared with every digest in constant
 * time, so neither the memory nor the timing of a refusal tells anything about a valid token.
 */
public final class ServiceTokens {

    /** Shorter than this is guessable, or a placeholder someone forgot to replace. */
    public static final int MIN_LENGTH = 24;
    private static final String BEARER = "Bearer ";

    private final List<byte[]> accepted;
    private final String sent;

    private ServiceTokens(List<byte[]> accepted, String sent) {
        this.accepted = accepted;
        this.sent = sent;
    }

    /** The property of the token every caller sends (and this instance sends to its peers). */
    public static final String TOKEN_PROPERTY = "waybill.engine.api-token";
    /** The property of further tokens accepted while one is rotated. */
    public static final String ALSO_ACCEPTED_PROPERTY = "waybill.engine.api-tokens-also-accepted";

    /**
     * @param token        the token sent to peers, and accepted
     * @param alsoAccepted further tokens accepted (the old or the next one while rotating); may be empty
     * @throws IllegalArgumentException naming what is wrong (missing, too short), never the token itself
     */
    public static ServiceTokens of(String token, List<String> alsoAccepted) {
        Objects.requireNonNull(alsoAccepted, "alsoAccepted");
        String sent = token == null ? "" : token.strip();
        if (sent.isEmpty()) throw new IllegalArgumentException("no service token is set for the engine API (" + TOKEN_PROPERTY + ")");
        check(sent, TOKEN_PROPERTY);
        List<String> others = alsoAccepted.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
        for (int i = 0; i < others.size(); i++) check(others.get(i), ALSO_ACCEPTED_PROPERTY + " entry " + (i + 1));
        List<byte[]> accepted = new java.util.ArrayList<>();
        accepted.add(digest(sent));
        others.forEach(t -> accepted.add(digest(t)));
        return new ServiceTokens(List.copyOf(accepted), sent);
    }

    private static void check(String token, String where) {
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the service token of " + where + " has " + token.length()
                    + " characters; at least " + MIN_LENGTH + " are needed (e.g. openssl rand -base64 32)");
        }
        if (token.chars().anyMatch(c -> c <= ' ' || c == ',' || c > '~')) {
            throw new IllegalArgumentException("the service token of " + where + " must be printable ASCII without spaces or commas");
        }
    }

    /** True if {@code authorization} (the header's value, or null) carries an accepted token. */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) return false;
        byte[] presented = digest(authorization.substring(BEARER.length()).strip());
        boolean match = false;
        for (byte[] token : accepted) match |= MessageDigest.isEqual(token, presented); // no early exit: constant time
        return match;
    }

    /** The {@code Authorization} header's value this instance sends to its peers. */
    public String authorization() {
        return BEARER + sent;
    }

    /** How many tokens are accepted (two while one is rotated). */
    public int acceptedCount() {
        return accepted.size();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "ServiceTokens[" + accepted.size() + " accepted]"; // never the tokens
    }
}
