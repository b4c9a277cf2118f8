package io.waybill.planner.auth;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The planner-api's roles, from the token's {@code groups} claim. Each role includes the ones below
 * it: an admin is also a planner, a planner also a viewer ({@link RoleHierarchy} adds the implied
 * roles), so an endpoint names only the least role it needs.
 */
public final class Roles {

    /** Reads everything: shipments, exceptions, the network, workflows, the live stream. */
    public static final String VIEWER = "viewer";
    /** Viewer, plus commands on shipments and on exceptions (acknowledge, resolve, snooze). */
    public static final String PLANNER = "planner";
    /** Planner, plus changes to the network (facility status, lane disruption) and workflows. */
    public static final String ADMIN = "admin";

    /** Lowest first. */
    public static final List<String> ORDER = List.of(VIEWER, PLANNER, ADMIN);

    private Roles() {
    }

    /** The roles a set of granted roles implies and does not already contain. */
    public static Set<String> implied(Set<String> granted) {
        int highest = -1;
        for (String role : granted) highest = Math.max(highest, ORDER.indexOf(role));
        Set<String> implied = new LinkedHashSet<>();
        for (int i = 0; i < highest; i++) {
            if (!granted.contains(ORDER.get(i))) implied.add(ORDER.get(i));
        }
        return implied;
    }
}
