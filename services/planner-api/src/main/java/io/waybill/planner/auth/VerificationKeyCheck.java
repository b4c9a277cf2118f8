package io.waybill.planner.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.util.List;

/** Says at start when no token verification key is configured: then every /api/v1 call is 401. */
@ApplicationScoped
public class VerificationKeyCheck {

    private static final Logger LOG = Logger.getLogger(VerificationKeyCheck.class);
    static final List<String> KEY_SETTINGS = List.of("mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey",
            "smallrye.jwt.verify.key.location", "mp.jwt.decrypt.key.location");

    void onStart(@Observes StartupEvent event, Config config) {
        boolean configured = KEY_SETTINGS.stream().anyMatch(k -> config.getOptionalValue(k, String.class).filter(v -> !v.isBlank()).isPresent());
        if (!configured) {
            LOG.warn("no token verification key is configured (mp.jwt.verify.publickey.location: a PEM/JWK file or a JWKS URL): "
                    + "every /api/v1 request will be refused with 401");
        } else if (config.getOptionalValue("mp.jwt.verify.issuer", String.class).isEmpty()) {
            LOG.warn("mp.jwt.verify.issuer is not set: tokens of any issuer signed with the configured key are accepted");
        }
    }
}
