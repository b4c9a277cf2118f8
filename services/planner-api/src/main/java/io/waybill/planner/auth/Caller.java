package io.waybill.planner.auth;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Who is calling: the subject of the verified token, recorded as {@code issuedBy} of what they publish. */
public final class Caller {

    private Caller() {
    }

    public static String subject(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) throw new IllegalStateException("no authenticated caller");
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null && !jwt.getSubject().isBlank()) {
            return jwt.getSubject();
        }
        return identity.getPrincipal().getName();
    }
}
