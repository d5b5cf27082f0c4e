package dev.glassbox.web.pages;

import dev.glassbox.web.classroom.ClassCode;
import dev.glassbox.web.classroom.Classroom;
import dev.glassbox.web.classroom.DisplayName;
import dev.glassbox.web.security.Access;
import dev.glassbox.web.security.FormToken;
import dev.glassbox.web.security.RequestGuard;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.ClassInfo;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.store.Store.Role;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Classroom mode's pages: joining a class ({@code /join}), the teacher's sign-in and classes
 * ({@code /teacher}) and a class's live dashboard ({@code /teacher/class/{code}}). The forms are plain
 * HTML forms that work without scripts; a refused form comes back with the reason and what was typed
 * (never the passphrase).
 */
public final class ClassroomPages {
    /** A class on the teacher's page. */
    public record ClassCard(String code, String name, int students, String created) {}

    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", Locale.ENGLISH)
            .withZone(ZoneId.systemDefault());

    private final Pages pages;
    private final Classroom classroom;
    private final Sessions sessions;
    private final Store store;
    private final boolean onNetwork;

    /** {@code onNetwork}: the server listens on a network interface (not only loopback, as behind a proxy). */
    public ClassroomPages(Pages pages, Classroom classroom, Sessions sessions, Store store, boolean onNetwork) {
        this.pages = pages;
        this.classroom = classroom;
        this.sessions = sessions;
        this.store = store;
        this.onNetwork = onNetwork;
    }

    // ---- students ----

    public void joinPage(Context ctx) {
        String code = Optional.ofNullable(ctx.queryParam("code")).flatMap(ClassCode::normalize).orElse("");
        showJoin(ctx, code, "", null);
    }

    public void join(Context ctx) {
        String code = Optional.ofNullable(ctx.formParam("code")).orElse("");
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("");
        try {
            classroom.join(ctx, code, name);
            ctx.redirect(Access.localPath(ctx.formParam("next")), HttpStatus.SEE_OTHER);
        } catch (HttpResponseException e) {
            ctx.status(e.getStatus());
            showJoin(ctx, code.strip(), name.strip(), e.getMessage());
        }
    }

    private void showJoin(Context ctx, String code, String name, String error) {
        Learner current = sessions.current(ctx).orElse(null);
        Map<String, Object> model = new HashMap<>();
        model.put("formToken", FormToken.issue(ctx));
        model.put("next", Access.localPath(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next")));
        model.put("code", code);
        model.put("name", name);
        model.put("error", error);
        model.put("codeLength", ClassCode.LENGTH);
        model.put("nameLength", DisplayName.MAX_LENGTH);
        model.put("student", current != null && current.role() == Role.STUDENT ? current : null);
        pages.render(ctx, "join.html", model, current);
    }

    // ---- the teacher ----

    /** The sign-in form, or the teacher's classes once signed in. */
    public void teacherPage(Context ctx) {
        Optional<Learner> teacher = classroom.currentTeacher(ctx);
        if (teacher.isEmpty()) {
            showSignIn(ctx, null);
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("classes", classCards());
        model.put("error", null);
        pages.render(ctx, "teacher.html", model, teacher.get());
    }

    private List<ClassCard> classCards() {
        return store.classes().stream().map(c -> new ClassCard(c.code(), c.name(), c.students(), CREATED.format(c.createdAt()))).toList();
    }

    public void signIn(Context ctx) {
        try {
            classroom.signIn(ctx, ctx.formParam("passphrase"));
            ctx.redirect("/teacher", HttpStatus.SEE_OTHER);
        } catch (HttpResponseException e) {
            ctx.status(e.getStatus());
            showSignIn(ctx, e.getMessage());
        }
    }

    private void showSignIn(Context ctx, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("formToken", FormToken.issue(ctx));
        model.put("error", error);
        pages.render(ctx, "teacher-login.html", model, sessions.current(ctx).orElse(null));
    }

    public void signOut(Context ctx) {
        sessions.end(ctx);
        ctx.redirect("/teacher", HttpStatus.SEE_OTHER);
    }

    public void createClass(Context ctx) {
        Learner teacher = classroom.teacher(ctx);
        try {
            ClassInfo created = classroom.createClass(teacher, ctx.formParam("name"));
            ctx.redirect("/teacher/class/" + created.code(), HttpStatus.SEE_OTHER);
        } catch (HttpResponseException e) {
            ctx.status(e.getStatus());
            Map<String, Object> model = new HashMap<>();
            model.put("classes", classCards());
            model.put("error", e.getMessage());
            pages.render(ctx, "teacher.html", model, teacher);
        }
    }

    public void dashboardPage(Context ctx) {
        Optional<Learner> teacher = classroom.currentTeacher(ctx);
        if (teacher.isEmpty()) {
            ctx.redirect("/teacher", HttpStatus.SEE_OTHER);
            return;
        }
        ClassInfo klass = classroom.classByCode(ctx.pathParam("code"));
        Map<String, Object> model = new HashMap<>();
        model.put("klass", klass);
        model.put("joinUrls", joinUrls(ctx, klass.code(), onNetwork));
        model.put("limits", classroom.limitsInForce());
        pages.render(ctx, "dashboard.html", model, teacher.get());
    }

    /**
     * Where students join, as the teacher's browser reached the server; when that was this computer
     * itself (localhost) and the server listens on the network, the machine's addresses instead, which
     * the students can reach.
     */
    static List<String> joinUrls(Context ctx, String code, boolean onNetwork) {
        String scheme = RequestGuard.overHttps(ctx) ? "https" : ctx.scheme();
        String host = Optional.ofNullable(ctx.header("Host")).orElse("localhost");
        String query = "/join?code=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
        String bare = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        boolean local = bare.equals("localhost") || bare.startsWith("127.") || bare.equals("[::1]");
        if (!local || !onNetwork) return List.of(scheme + "://" + host + query);
        List<String> urls = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (!nic.isUp() || nic.isLoopback()) continue;
                for (InetAddress address : nic.inetAddresses().toList()) {
                    if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                        urls.add(scheme + "://" + address.getHostAddress() + ":" + ctx.req().getLocalPort() + query);
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to show: fall back to the address the teacher used
        }
        if (urls.isEmpty()) urls.add(scheme + "://" + host + query);
        return urls.stream().limit(3).toList();
    }
}
