package dev.glassbox.web;

import dev.glassbox.kernel.KernelPool;
import dev.glassbox.kernel.Sandbox;
import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.api.KernelApi;
import dev.glassbox.web.api.LessonApi;
import dev.glassbox.web.api.SessionApi;
import dev.glassbox.web.kernels.KernelRegistry;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.pages.ThymeleafRenderer;
import dev.glassbox.web.security.RequestGuard;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Glassbox server: wires the lesson catalog, the kernels and the store into a Javalin app.
 * {@link #start(Settings)} is what {@link Main} and the tests call.
 */
public final class App implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(App.class.getName());

    /**
     * @param host       interface to listen on (loopback by default)
     * @param port       TCP port; 0 picks a free one
     * @param dataDir    where the SQLite file and kernel scratch folders live
     * @param lessonsDir a folder of lesson files to serve instead of the bundled ones, or null
     * @param kernels    kernel limits, or null for the defaults
     */
    public record Settings(String host, int port, Path dataDir, Path lessonsDir, KernelSettings kernels) {
        public KernelSettings kernelSettings() {
            return kernels != null ? kernels : KernelSettings.defaults(dataDir.resolve("scratch"));
        }
    }

    /** What the routes need. */
    public record Deps(Store store, LessonCatalog lessons, KernelRegistry kernels, Sessions sessions,
                       Set<String> allowedHosts, String notice) {}

    private final Javalin javalin;
    private final Deps deps;

    private App(Javalin javalin, Deps deps) {
        this.javalin = javalin;
        this.deps = deps;
    }

    public static App start(Settings settings) throws SQLException {
        Store store = Store.open(settings.dataDir());
        LessonCatalog lessons = settings.lessonsDir() != null ? LessonCatalog.load(settings.lessonsDir()) : LessonCatalog.fromClasspath();
        lessons.problems().forEach(p -> LOG.warning("lesson not loaded: " + p.getMessage()));
        Sandbox sandbox = Sandbox.detect();
        LOG.info("kernels: " + sandbox);
        KernelRegistry kernels = new KernelRegistry(new KernelPool(settings.kernelSettings(), sandbox), 4, Duration.ofMinutes(30));
        Sessions sessions = new Sessions(store, false);
        Deps deps = new Deps(store, lessons, kernels, sessions, Set.of("localhost", "127.0.0.1", "[::1]"),
                sandbox.available() ? null
                        : "Single-user mode: cells run without a sandbox (" + String.join("; ", sandbox.problems())
                        + "), so Glassbox only listens on this computer.");
        Javalin javalin = create(deps).start(settings.host(), settings.port());
        return new App(javalin, deps);
    }

    /** The Javalin app with every route, not yet started. */
    public static Javalin create(Deps deps) {
        Sessions sessions = deps.sessions();
        LessonApi lessonApi = new LessonApi(deps.lessons(), sessions, deps.store());
        KernelApi kernelApi = new KernelApi(deps.kernels(), sessions, deps.store(), deps.lessons());
        SessionApi sessionApi = new SessionApi(sessions, deps.kernels(), deps.lessons().lessons().size());
        Pages pages = new Pages(deps.lessons(), sessions, deps.store(), lessonApi, deps.notice());
        RequestGuard guard = new RequestGuard(sessions, deps.allowedHosts());

        return Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.fileRenderer(new ThymeleafRenderer());
            config.http.compressionStrategy = CompressionStrategy.NONE;   // compression would hold back streamed output
            config.http.maxRequestSize = 2 * 1024 * 1024;
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/public";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache");
            });

            var routes = config.routes;
            routes.before(guard::check);

            routes.get("/", pages::home);
            routes.get("/lessons/{lesson}", pages::lesson);

            routes.get("/api/health", sessionApi::health);
            routes.get("/api/session", sessionApi::session);

            routes.get("/api/lessons", lessonApi::list);
            routes.get("/api/lessons/{lesson}", lessonApi::get);
            routes.get("/api/lessons/{lesson}/state", lessonApi::state);
            routes.put("/api/lessons/{lesson}/cells/{cell}", lessonApi::saveCell);
            routes.delete("/api/lessons/{lesson}/cells/{cell}", lessonApi::resetCell);

            routes.post("/api/kernels", kernelApi::open);
            routes.get("/api/kernels/{id}", kernelApi::get);
            routes.post("/api/kernels/{id}/execute", kernelApi::execute);
            routes.post("/api/kernels/{id}/complete", kernelApi::complete);
            routes.post("/api/kernels/{id}/interrupt", kernelApi::interrupt);
            routes.post("/api/kernels/{id}/restart", kernelApi::restart);
            routes.delete("/api/kernels/{id}", kernelApi::delete);

            routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (ctx.path().startsWith("/api/")) ctx.status(e.getStatus()).json(Map.of("error", e.getMessage()));
                else pages.error(ctx, e.getStatus(), e.getMessage());
            });
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.SEVERE, "request failed: " + ctx.method() + " " + ctx.path(), e);
                String message = "Something went wrong on the server: " + e.getMessage();
                if (ctx.path().startsWith("/api/")) ctx.status(500).json(Map.of("error", message));
                else pages.error(ctx, 500, message);
            });
            routes.error(404, ctx -> {
                if (ctx.path().startsWith("/api/")) {
                    if (ctx.result() == null || ctx.result().isEmpty()) ctx.json(Map.of("error", "No such endpoint: " + ctx.method() + " " + ctx.path()));
                } else if (ctx.result() == null || ctx.result().isEmpty()) {
                    pages.error(ctx, 404, "There is no page at " + ctx.path() + ".");
                }
            });
        });
    }

    public int port() {
        return javalin.port();
    }

    public Deps deps() {
        return deps;
    }

    @Override
    public void close() {
        javalin.stop();
        deps.kernels().close();
        deps.kernels().pool().close();
        try {
            deps.store().close();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "closing the database", e);
        }
    }
}
