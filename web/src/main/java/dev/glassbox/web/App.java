package dev.glassbox.web;

import dev.glassbox.notebook.host.KernelPool;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.notebook.host.Sandbox;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.api.ClassroomApi;
import dev.glassbox.web.api.KernelApi;
import dev.glassbox.web.api.LessonApi;
import dev.glassbox.web.api.SessionApi;
import dev.glassbox.web.classroom.ClassDashboard;
import dev.glassbox.web.classroom.Classroom;
import dev.glassbox.web.classroom.Passphrase;
import dev.glassbox.web.course.CourseRoutes;
import dev.glassbox.web.inference.Inference;
import dev.glassbox.web.inference.InferenceRoutes;
import dev.glassbox.web.notebook.CellQueue;
import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.web.shelf.ModelShelf;
import dev.glassbox.web.pages.ClassroomPages;
import dev.glassbox.web.pages.Pages;
import dev.glassbox.web.pages.ThymeleafRenderer;
import dev.glassbox.web.quantization.LabRuns;
import dev.glassbox.web.quantization.QuantizeRoutes;
import dev.glassbox.web.security.Access;
import dev.glassbox.web.security.Audience;
import dev.glassbox.web.security.OwnerToken;
import dev.glassbox.web.security.RequestGuard;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.server.ServerLimits;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.training.TrainRoutes;
import dev.glassbox.web.training.TrainingLimits;
import dev.glassbox.web.training.TrainingRuns;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
     * @param limits     the server's caps (kernels, running cells, restarts, sign-in tries), or null for the defaults
     * @param teacher    classroom mode's teacher passphrase; null: single-user mode
     * @param sandbox    the kernels' sandbox, or null to detect what this machine offers; classroom mode
     *                   refuses to start without one
     * @param withoutResourceLimits classroom mode starts even when the kernels get no memory, process and CPU
     *                   limits (no writable cgroups): {@code --classroom-without-resource-limits}, for a class that
     *                   accepts that one student's cell can starve the others
     * @param trustedProxies addresses of reverse proxies whose X-Forwarded-For is believed for per-address limits
     *                   ({@code --trusted-proxy}); empty: none
     * @param withoutToken single-user mode answers every request on loopback, without asking for the owner's token
     *                   ({@code --no-token}): any user of this computer can then run code as the owner
     */
    public record Settings(String host, int port, Path dataDir, Path lessonsDir, KernelSettings kernels,
                           ServerLimits limits, Passphrase teacher, Sandbox sandbox, boolean withoutResourceLimits,
                           Set<String> trustedProxies, boolean withoutToken) {

        /** Single-user mode with the owner's token, default limits, the sandbox this machine offers. */
        public Settings(String host, int port, Path dataDir, Path lessonsDir, KernelSettings kernels) {
            this(host, port, dataDir, lessonsDir, kernels, null, null, null, false, Set.of(), false);
        }

        public KernelSettings kernelSettings() {
            return kernels != null ? kernels : KernelSettings.defaults(dataDir.resolve("scratch"));
        }

        public ServerLimits serverLimits() {
            return limits != null ? limits : ServerLimits.defaults();
        }

        public boolean classroom() {
            return teacher != null;
        }

        public Settings withLimits(ServerLimits newLimits) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, newLimits, teacher, sandbox, withoutResourceLimits, trustedProxies, withoutToken);
        }

        /** Classroom mode with this teacher passphrase. */
        public Settings withClassroom(Passphrase passphrase) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, limits, passphrase, sandbox, withoutResourceLimits, trustedProxies, withoutToken);
        }

        /** Kernels in this sandbox instead of the one detected at start-up. */
        public Settings withSandbox(Sandbox kernelSandbox) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, limits, teacher, kernelSandbox, withoutResourceLimits, trustedProxies, withoutToken);
        }

        /** Classroom mode may start without cgroup limits (see {@code withoutResourceLimits}). */
        public Settings withoutResourceLimits(boolean allowed) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, limits, teacher, sandbox, allowed, trustedProxies, withoutToken);
        }

        /** Single-user mode without the owner's token (see {@code withoutToken}). */
        public Settings withoutToken(boolean off) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, limits, teacher, sandbox, withoutResourceLimits, trustedProxies, off);
        }

        /** Believes these reverse proxies about the client's address (X-Forwarded-For). */
        public Settings withTrustedProxies(Set<String> proxies) {
            return new Settings(host, port, dataDir, lessonsDir, kernels, limits, teacher, sandbox, withoutResourceLimits, Set.copyOf(proxies), withoutToken);
        }
    }

    /** Glassbox refuses these settings; the message says why and what to do. */
    public static final class StartupException extends RuntimeException {
        public StartupException(String message) {
            super(message);
        }
    }

    /** What the routes need. {@code classroom} is null in single-user mode. */
    public record Deps(Store store, LessonCatalog lessons, ModelShelf models, KernelRegistry kernels, CellQueue cells,
                       Sessions sessions, Set<String> allowedHosts, String notice, ServerLimits limits, Classroom classroom,
                       boolean onNetwork, Inference inference, TrainingRuns training, LabRuns quantization) {}

    private final Javalin javalin;
    private final Deps deps;
    /** Single-user mode's owner token; null in classroom mode or when it is off. */
    private final OwnerToken ownerToken;

    private App(Javalin javalin, Deps deps, OwnerToken ownerToken) {
        this.javalin = javalin;
        this.deps = deps;
        this.ownerToken = ownerToken;
    }

    /**
     * Starts the server.
     *
     * @throws StartupException when classroom mode has no sandbox, or single-user mode is asked to listen on the network
     */
    public static App start(Settings settings) throws SQLException {
        boolean onNetwork = !isLoopback(settings.host());
        if (!settings.classroom() && onNetwork) {
            throw new StartupException("Listening on " + settings.host() + " would let other computers run code on this one. "
                    + "Single-user mode listens on loopback (127.0.0.1) only; for a class, start Glassbox with --classroom.");
        }
        Sandbox sandbox = settings.sandbox() != null ? settings.sandbox() : Sandbox.detect();
        LOG.info("kernel sandbox: " + sandbox.describe());
        if (settings.classroom() && !sandbox.available()) {
            throw new StartupException("Classroom mode needs a sandbox for the kernels, and there is none ("
                    + String.join("; ", sandbox.problems()) + "): every student's cells would run with the server's rights. "
                    + "Install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces, "
                    + "or run single-user without --classroom.");
        }
        if (settings.classroom() && !sandbox.resourceLimits()) {
            if (!settings.withoutResourceLimits()) {
                throw new StartupException("Classroom mode needs memory, process and CPU limits for the kernels, and this machine "
                        + "gives Glassbox no writable cgroups: one student's cell could take all the memory or cores and stop the "
                        + "class. Run Glassbox where cgroups are delegated to it (e.g. systemd-run --user --scope -p Delegate=yes, "
                        + "or a container with a writable cgroup), or, knowing that risk, start with --classroom-without-resource-limits.");
            }
            LOG.warning("CLASSROOM MODE WITHOUT RESOURCE LIMITS (--classroom-without-resource-limits): kernels have no memory, "
                    + "process or CPU limits beyond JVM flags and rlimits; one student can slow or stop the class.");
        }
        ServerLimits limits = settings.serverLimits();
        Store store = Store.open(settings.dataDir());
        LessonCatalog lessons = settings.lessonsDir() != null ? LessonCatalog.load(settings.lessonsDir()) : LessonCatalog.fromClasspath();
        lessons.problems().forEach(p -> LOG.warning("lesson not loaded: " + p.getMessage()));
        // Cells load the shipped models from the folder the shelf fills: start on it before any kernel asks.
        ModelShelf models = ModelShelf.prepare(settings.dataDir());
        models.prepareInBackground();
        KernelSettings kernelSettings = settings.kernelSettings();
        if (kernelSettings.sharedModels() == null) kernelSettings = kernelSettings.withSharedModels(models.shippedDir());
        KernelRegistry kernels = new KernelRegistry(new KernelPool(kernelSettings, sandbox), limits.maxKernelsPerLearner(),
                limits.maxKernels(), limits.idleTimeout());
        CellQueue cells = new CellQueue(limits.runningCells(), limits.cellsPerLearner(), limits.queueWait(), limits.longCell());
        if (!settings.classroom() && settings.withoutToken()) {
            LOG.warning("SINGLE-USER MODE WITHOUT A TOKEN (--no-token): every user of this computer can open Glassbox and run code as you.");
        }
        OwnerToken ownerToken = settings.classroom() || settings.withoutToken() ? null : OwnerToken.inFolder(settings.dataDir());
        Sessions sessions = settings.classroom() ? Sessions.classroom(store) : Sessions.singleUser(store, ownerToken);
        Classroom classroom = settings.classroom()
                ? new Classroom(settings.teacher(), store, sessions, kernels, cells, lessons, limits,
                        new dev.glassbox.web.security.ClientAddress(settings.trustedProxies())) : null;
        Deps deps = new Deps(store, lessons, models, kernels, cells, sessions,
                settings.classroom() ? Set.of() : Set.of("localhost", "127.0.0.1", "[::1]"),
                sandbox.available() ? null : "Single-user mode: cells run without a sandbox (" + String.join("; ", sandbox.problems())
                        + "), so Glassbox only listens on this computer.",
                limits, classroom, onNetwork, Inference.defaults(), new TrainingRuns(limits.trainingRuns(), TrainingLimits.defaults()),
                new LabRuns(limits.trainingRuns(), Duration.ofHours(1)));   // a lab run keeps a core busy like a training run
        Javalin javalin = create(deps).start(settings.host(), settings.port());
        return new App(javalin, deps, ownerToken);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new StartupException("Cannot listen on " + host + ": no such address on this machine.");
        }
    }

    /** The Javalin app with every route, not yet started. */
    public static Javalin create(Deps deps) {
        Sessions sessions = deps.sessions();
        Classroom classroom = deps.classroom();
        LessonApi lessonApi = new LessonApi(deps.lessons(), sessions, deps.store());
        KernelApi kernelApi = new KernelApi(deps.kernels(), deps.cells(), sessions, deps.store(), deps.lessons(), deps.limits());
        SessionApi sessionApi = new SessionApi(sessions, deps.kernels(), deps.lessons().lessons().size(),
                classroom != null ? "classroom" : "single-user", deps.models());
        Pages pages = new Pages(deps.lessons(), sessions, deps.store(), deps.notice());
        RequestGuard guard = new RequestGuard(sessions, deps.allowedHosts(),
                classroom != null ? Set.of("/join", "/teacher/login") : Set.of());
        Access access = new Access(sessions, classroom != null);
        ThymeleafRenderer renderer = new ThymeleafRenderer();
        Thread.ofPlatform().daemon().name("glassbox-page-warm-up").start(() -> {
            try {
                pages.warmUp(renderer);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "warming up the lesson pages (the first visit of each will be slower)", e);
            }
        });

        return Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.fileRenderer(renderer);
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
            routes.beforeMatched(access::check);    // each route's Audience, declared with it below

            routes.get("/", pages::home, Audience.CLASS);
            routes.get("/lessons/{lesson}", pages::lesson, Audience.CLASS);
            CourseRoutes.register(routes, pages, sessions, deps.store(), deps.lessons());

            dev.glassbox.web.shelf.ModelRoutes.register(routes, pages, sessions, deps.models());
            InferenceRoutes.register(routes, pages, sessions, deps.models(), deps.inference());
            TrainRoutes.register(routes, pages, sessions, deps.models(), deps.training());
            QuantizeRoutes.register(routes, pages, sessions, deps.models(), deps.quantization());
            routes.get("/api/health", sessionApi::health, Audience.EVERYONE);
            routes.get("/api/session", sessionApi::session, Audience.EVERYONE);

            routes.get("/api/lessons", lessonApi::list, Audience.CLASS);
            routes.get("/api/lessons/{lesson}", lessonApi::get, Audience.CLASS);
            routes.get("/api/lessons/{lesson}/state", lessonApi::state, Audience.CLASS);
            routes.put("/api/lessons/{lesson}/cells/{cell}", lessonApi::saveCell, Audience.CLASS);
            routes.delete("/api/lessons/{lesson}/cells/{cell}", lessonApi::resetCell, Audience.CLASS);
            routes.get("/api/lessons/{lesson}/solutions/{cell}", lessonApi::solution, Audience.CLASS);

            routes.post("/api/kernels", kernelApi::open, Audience.CLASS);
            routes.get("/api/kernels/{id}", kernelApi::get, Audience.CLASS);
            routes.post("/api/kernels/{id}/execute", kernelApi::execute, Audience.CLASS);
            routes.post("/api/kernels/{id}/complete", kernelApi::complete, Audience.CLASS);
            routes.post("/api/kernels/{id}/interrupt", kernelApi::interrupt, Audience.CLASS);
            routes.post("/api/kernels/{id}/restart", kernelApi::restart, Audience.CLASS);
            routes.delete("/api/kernels/{id}", kernelApi::delete, Audience.CLASS);

            if (classroom != null) {
                ClassroomPages classPages = new ClassroomPages(pages, classroom, sessions, deps.store(), deps.onNetwork());
                ClassroomApi classApi = new ClassroomApi(classroom,
                        new ClassDashboard(deps.store(), deps.lessons(), deps.kernels(), deps.cells(), sessions), deps.store(), deps.lessons());
                routes.get("/join", classPages::joinPage, Audience.EVERYONE);
                routes.post("/join", classPages::join, Audience.EVERYONE);
                routes.get("/teacher", classPages::teacherPage, Audience.EVERYONE);
                routes.post("/teacher/login", classPages::signIn, Audience.EVERYONE);
                routes.post("/teacher/logout", classPages::signOut, Audience.EVERYONE);
                routes.post("/teacher/classes", classPages::createClass, Audience.TEACHER);
                routes.get("/teacher/class/{code}", classPages::dashboardPage, Audience.TEACHER);

                routes.post("/api/join", classApi::join, Audience.EVERYONE);
                routes.get("/api/classes/{code}/dashboard", classApi::dashboard, Audience.TEACHER);
                routes.post("/api/classes/{code}/students/{student}/restart", classApi::restartStudent, Audience.TEACHER);
                routes.post("/api/classes/{code}/lessons/{lesson}/reset", classApi::resetLesson, Audience.TEACHER);
                routes.post("/api/classes/{code}/size", classApi::setClassSize, Audience.TEACHER);
                routes.post("/api/classes/{code}/kernels/ready", classApi::getKernelsReady, Audience.TEACHER);
                routes.post("/api/classes/{code}/students/{student}/remove", classApi::removeStudent, Audience.TEACHER);
                routes.get("/api/classes/{code}/progress.csv", classApi::progressCsv, Audience.TEACHER);
            }

            routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (ctx.path().startsWith("/api/")) ctx.status(e.getStatus()).json(Map.of("error", e.getMessage()));
                else pages.error(ctx, e.getStatus(), e.getMessage());
            });
            routes.exception(ModelShelf.NotReady.class, (e, ctx) -> {
                ctx.header("Retry-After", "2");
                if (ctx.path().startsWith("/api/")) {
                    ctx.status(503).json(Map.of("error", e.getMessage(), "preparing", true));
                } else {
                    ctx.header("Refresh", "2");   // the browser reloads the page by itself
                    pages.error(ctx, 503, e.getMessage());
                }
            });
            routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.SEVERE, "request failed: " + ctx.method() + " " + ctx.path(), e);
                String message = "Something went wrong on the server: " + e.getMessage();
                if (ctx.path().startsWith("/api/")) ctx.status(500).json(Map.of("error", message));
                else pages.error(ctx, 500, message);
            });
            routes.error(404, ctx -> {
                // Javalin's own "Endpoint GET /x not found" is no answer for a learner: it is replaced like an empty one.
                String result = ctx.result();
                boolean unanswered = result == null || result.isEmpty() || result.startsWith("Endpoint ");
                if (!unanswered) return;
                if (ctx.path().startsWith("/api/")) {
                    ctx.json(Map.of("error", "No such endpoint: " + ctx.method() + " " + ctx.path()));
                } else if (classroom == null && isClassroomPage(ctx.path())) {
                    pages.error(ctx, 404, "The teacher's pages and the class sign-in exist only in classroom mode:"
                            + " start Glassbox with --classroom (see the README). This server runs for one learner;"
                            + " the lessons are on the home page.");
                } else {
                    pages.error(ctx, 404, "There is no page at " + ctx.path() + ".");
                }
            });
        });
    }

    private static boolean isClassroomPage(String path) {
        return path.equals("/teacher") || path.startsWith("/teacher/") || path.equals("/join");
    }

    public int port() {
        return javalin.port();
    }

    /** The address to open: {@code http://localhost:PORT/}, with the owner's token when single-user mode asks for it. */
    public String startUrl() {
        return "http://localhost:" + port() + "/" + (ownerToken == null ? "" : "?" + OwnerToken.PARAMETER + "=" + ownerToken.value());
    }

    /** Single-user mode's owner token, when requests must show it. */
    public java.util.Optional<String> ownerToken() {
        return java.util.Optional.ofNullable(ownerToken).map(OwnerToken::value);
    }

    /** One registered route and the {@link Audience} it declares (null: none, so it is refused to everybody). */
    public record Route(String method, String path, Audience audience) {}

    /** Every HTTP route of the running app, as registered. */
    public List<Route> routes() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint)
                .filter(e -> e.method.isHttpMethod() && e.method != io.javalin.http.HandlerType.HEAD)
                .map(e -> {
                    io.javalin.security.Roles roles = e.metadata(io.javalin.security.Roles.class);
                    return new Route(e.method.name(), e.path, roles == null ? null : Access.audience(roles.getRoles()));
                })
                .toList();
    }

    /** Waits up to {@code timeout} for the shipped models, which start() prepares in the background. */
    public void awaitModels(Duration timeout) {
        deps.models().awaitPrepared(timeout);
    }

    public Deps deps() {
        return deps;
    }

    @Override
    public void close() {
        javalin.stop();
        deps.training().close();
        deps.inference().close();
        deps.kernels().close();
        deps.kernels().pool().close();
        deps.models().awaitPrepared(Duration.ofMinutes(1));   // its files must not be half-written when the data folder goes
        try {
            deps.store().close();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "closing the database", e);
        }
    }
}
