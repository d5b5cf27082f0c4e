package dev.glassbox.web.api;

import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.security.Sessions;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/session} (sets the cookie, returns the CSRF token) and {@code GET /api/health}. */
public final class SessionApi {
    private final Sessions sessions;
    private final KernelRegistry kernels;
    private final int lessonCount;
    private final String mode;
    private final ModelShelf models;

    /** {@code mode}: "single-user" or "classroom". */
    public SessionApi(Sessions sessions, KernelRegistry kernels, int lessonCount, String mode, ModelShelf models) {
        this.models = models;
        this.sessions = sessions;
        this.kernels = kernels;
        this.lessonCount = lessonCount;
        this.mode = mode;
    }

    public void session(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.json(Map.of("csrfToken", sessions.ensure(ctx).csrfToken()));
    }

    public void health(Context ctx) {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("lessons", lessonCount);
        health.put("kernels", Map.of("open", kernels.size(), "busy", kernels.busyCount(), "warm", kernels.pool().warmCount()));
        var sandbox = kernels.pool().sandbox();
        health.put("sandbox", sandbox.kind());
        Map<String, Object> limits = new LinkedHashMap<>(sandbox.describe());
        limits.put("memoryBudget", kernels.pool().memoryBudget().describe());   // all kernels together
        health.put("limits", limits);
        health.put("resourceLimits", !sandbox.resourceLimits()
                ? "none: no memory, process or CPU limits per kernel (no writable cgroups)"
                : "cgroups " + sandbox.cgroupsVersion() + ": memory, processes and CPU per kernel");
        health.put("mode", mode);
        health.put("java", Runtime.version().toString());
        health.put("vectorApi", ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        health.put("models", models.readiness());   // state: preparing, ready or failed (with the problem)
        ctx.json(health);
    }
}
