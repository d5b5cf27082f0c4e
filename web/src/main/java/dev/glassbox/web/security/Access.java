package dev.glassbox.web.security;

import dev.glassbox.web.course.CourseRoutes;
import dev.glassbox.web.inference.InferenceRoutes;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.quantization.QuantizeRoutes;
import dev.glassbox.web.training.TrainRoutes;
import dev.glassbox.web.store.Store.Role;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UnauthorizedResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Who may see what, checked before every request (after the {@link RequestGuard}). In single-user mode
 * everybody is the learner. In classroom mode the lessons and kernels are for the students and the
 * teacher only: a visitor is sent to {@code /join} (pages) or answered 401 (API). The teacher's own
 * pages and API check for the teacher themselves. Also notes when each learner was last seen.
 */
public final class Access {
    private final Sessions sessions;
    private final boolean classroom;

    public Access(Sessions sessions, boolean classroom) {
        this.sessions = sessions;
        this.classroom = classroom;
    }

    public void check(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/assets/")) return;
        Optional<Learner> learner = sessions.current(ctx);
        learner.ifPresent(sessions::seen);
        if (!classroom || !forClassMembers(path)) return;
        Role role = learner.map(Learner::role).orElse(null);
        if (role == Role.STUDENT || role == Role.TEACHER) return;
        if (path.startsWith("/api/")) {
            throw new UnauthorizedResponse("Join a class first: open /join and enter the class code your teacher gave you");
        }
        ctx.redirect("/join" + (path.equals("/") ? "" : "?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8)), HttpStatus.SEE_OTHER);
        ctx.skipRemainingHandlers();
    }

    /** The lessons, the kernels, and the pages and API that run or train models (CPU time is for the class). */
    private static boolean forClassMembers(String path) {
        if (CourseRoutes.PATHS.matcher(path).matches()) return true;   // the course map, search, glossary and drafts
        return path.equals("/") || path.startsWith("/lessons/") || path.startsWith("/api/lessons") || path.startsWith("/api/kernels")
                || InferenceRoutes.PATHS.matcher(path).matches() || TrainRoutes.PATHS.matcher(path).matches()
                || QuantizeRoutes.PATHS.matcher(path).matches();
    }

    /** {@code next} if it is a path on this server (never another site: no open redirects), else "/". */
    public static String localPath(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.length() > 500) return "/";
        for (int i = 0; i < next.length(); i++) {
            if (next.charAt(i) < 0x20 || next.charAt(i) == 0x7f) return "/";
        }
        return next;
    }
}
