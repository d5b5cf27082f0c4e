package dev.glassbox.web;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager for the server, which keeps its handlers while the JVM shuts down: the JDK's own
 * manager closes them in a shutdown hook of its own, so what the server logs as it stops (Javalin and Jetty stopping,
 * a problem while closing kernels or the database) would be lost. {@link Main} installs it before anything logs.
 */
public final class ServerLogManager extends LogManager {
    @Override
    public void reset() {
        if (!shuttingDown()) super.reset();
    }

    /** Whether the JVM is running its shutdown hooks (a hook can then no longer be added). */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
