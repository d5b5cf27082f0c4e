package dev.glassbox.web.security;

import io.javalin.security.RouteRole;

/**
 * Who may use a route, declared beside the route itself ({@code routes.get(path, handler, Audience.CLASS)})
 * and enforced by {@link Access}. A route that declares none is refused to everybody: a new route is
 * closed until its author says who it is for.
 */
public enum Audience implements RouteRole {
    /** Anybody, also a visitor who has not joined a class: the catalog, sign-in and join forms, health. */
    EVERYONE,
    /** In classroom mode the class's students and its teacher (CPU time and lessons are for the class); in single-user mode the learner. */
    CLASS,
    /** In classroom mode the teacher only. */
    TEACHER
}
