package io.waybill.planner.console;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web console is static (META-INF/resources/console, served by Quarkus at /console/); this only
 * sends /console to /console/ so the console's relative links resolve. Access: it needs no token
 * (application.properties permits /console/*); the API calls it makes carry the user's token.
 */
@ApplicationScoped
public class ConsoleRoutes {

    void routes(@Observes Router router) {
        router.get("/console").handler(rc -> {
            if (rc.normalizedPath().equals("/console")) rc.redirect("/console/");
            else rc.next();
        });
    }
}
