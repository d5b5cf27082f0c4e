package dev.glassbox.web.classroom;

import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.notebook.CellQueue;
import dev.glassbox.notebook.host.KernelPool;
import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.web.security.ClientAddress;
import dev.glassbox.web.security.RateLimit;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.server.ServerLimits;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.ClassInfo;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.store.Store.Role;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.TooManyRequestsResponse;
import io.javalin.http.UnauthorizedResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Classroom mode: the teacher signs in with the passphrase and makes classes; students join one with
 * its code and a name; the teacher restarts a student's kernels or resets a lesson for the whole class.
 * Refusals are {@link io.javalin.http.HttpResponseException}s whose message is meant for the person at the keyboard.
 */
public final class Classroom {
    private static final Logger LOG = Logger.getLogger(Classroom.class.getName());
    private static final int MAX_CLASS_NAME = 60;

    private final Passphrase passphrase;
    private final Store store;
    private final Sessions sessions;
    private final KernelRegistry kernels;
    private final CellQueue cells;
    private final LessonCatalog lessons;
    private final RateLimit failedLogins;
    private final RateLimit failedJoins;
    /** Wrong passphrases from all addresses together: guessing from many computers at once is limited too. */
    private final RateLimit failedTeacherLogins;
    private final ClientAddress addresses;
    private static final String TEACHER_ACCOUNT = "teacher";

    public Classroom(Passphrase passphrase, Store store, Sessions sessions, KernelRegistry kernels, CellQueue cells,
                     LessonCatalog lessons, ServerLimits limits, ClientAddress addresses) {
        this.addresses = addresses;
        this.failedTeacherLogins = new RateLimit(4 * limits.loginFailuresPerMinute(), Duration.ofMinutes(1));
        this.passphrase = passphrase;
        this.store = store;
        this.sessions = sessions;
        this.kernels = kernels;
        this.cells = cells;
        this.lessons = lessons;
        this.failedLogins = new RateLimit(limits.loginFailuresPerMinute(), Duration.ofMinutes(1));
        this.failedJoins = new RateLimit(limits.joinFailuresPerMinute(), Duration.ofMinutes(1));
    }

    /**
     * Signs the teacher in: a new teacher session (cookie) for 12 hours. After too many wrong
     * passphrases from one address, every try from there is refused for a while, even the right one.
     */
    public Learner signIn(Context ctx, String guess) {
        String address = addresses.of(ctx);
        // Each try is counted before the passphrase is compared and given back when it was right: parallel guesses
        // cannot all pass the check before any of them is recorded.
        Duration wait = failedLogins.tryAcquire(address);
        if (!wait.isZero()) throw tooMany(ctx, wait, "Too many wrong passphrases from this computer. Wait "
                + RateLimit.seconds(wait) + " s and try again.");
        Duration accountWait = failedTeacherLogins.tryAcquire(TEACHER_ACCOUNT);
        if (!accountWait.isZero()) {
            failedLogins.release(address);
            throw tooMany(ctx, accountWait, "Too many wrong teacher passphrases from several computers. Wait "
                    + RateLimit.seconds(accountWait) + " s and try again.");
        }
        if (!passphrase.matches(guess)) {
            LOG.warning("wrong teacher passphrase from " + address);
            throw new UnauthorizedResponse("That is not the teacher passphrase.");
        }
        failedLogins.release(address);
        failedTeacherLogins.release(TEACHER_ACCOUNT);
        return sessions.start(ctx, Sessions.TEACHER_SESSION, (id, hash, csrf) -> store.createLearner(id, hash, csrf, Role.TEACHER));
    }

    /** The teacher of this request. @throws UnauthorizedResponse when nobody is signed in, ForbiddenResponse for a student */
    public Learner teacher(Context ctx) {
        Learner learner = sessions.current(ctx).orElse(null);
        if (learner != null && learner.role() == Role.TEACHER) return learner;
        if (learner != null && learner.role() == Role.STUDENT) throw new ForbiddenResponse("Only the teacher can do this.");
        throw new UnauthorizedResponse("Sign in as the teacher first, at /teacher.");
    }

    public Optional<Learner> currentTeacher(Context ctx) {
        return sessions.current(ctx).filter(l -> l.role() == Role.TEACHER);
    }

    /** A new class with a fresh code; a blank name becomes "Class CODE". */
    public ClassInfo createClass(Learner teacher, String typedName) {
        String name = className(typedName);
        for (int attempt = 0; attempt < 20; attempt++) {
            String code = ClassCode.random();
            if (store.createClass(code, name.isEmpty() ? "Class " + code : name, teacher.id())) {
                LOG.info("class " + code + " created");
                return store.findClass(code).orElseThrow();
            }
        }
        throw new IllegalStateException("no free class code after 20 tries");
    }

    /** The class with this code (as typed: any case, spaces and dashes allowed). @throws NotFoundResponse */
    public ClassInfo classByCode(String typed) {
        return ClassCode.normalize(typed).flatMap(store::findClass)
                .orElseThrow(() -> new NotFoundResponse("There is no class with the code \"" + typed + "\"."));
    }

    /**
     * Joins a class: a new student session with the (cleaned) name, numbered if the class already has
     * it. A student of the class coming back under their own name keeps their session and their work.
     * Wrong codes count against the address, so codes cannot be guessed by trying them all.
     */
    public Learner join(Context ctx, String typedCode, String typedName) {
        String address = addresses.of(ctx);
        // Counted before the code is looked up, given back unless the code was wrong (see signIn).
        Duration wait = failedJoins.tryAcquire(address);
        if (!wait.isZero()) throw tooMany(ctx, wait, "Too many wrong class codes from this computer. Wait "
                + RateLimit.seconds(wait) + " s, then check the code with your teacher.");
        boolean wrongCode = false;
        try {
            String name;
            try {
                name = DisplayName.clean(typedName);
            } catch (IllegalArgumentException e) {
                throw new BadRequestResponse(e.getMessage());
            }
            Optional<String> code = ClassCode.normalize(typedCode);
            if (code.isEmpty()) {
                wrongCode = true;
                throw new BadRequestResponse("A class code has " + ClassCode.LENGTH + " letters and digits, like K7QX2M. "
                        + "Check the code your teacher gave you.");
            }
            Optional<ClassInfo> klass = store.findClass(code.get());
            if (klass.isEmpty()) {
                wrongCode = true;
                throw new NotFoundResponse("There is no class with the code " + code.get() + ". Check the code your teacher gave you.");
            }
            Optional<Learner> current = sessions.current(ctx);
            if (current.isPresent() && current.get().role() == Role.STUDENT && code.get().equals(current.get().classCode())
                    && name.equalsIgnoreCase(current.get().displayName())) {
                return current.get();
            }
            Learner student;
            try {
                student = sessions.start(ctx, Duration.ofDays(365),
                        (id, hash, csrf) -> store.createStudent(id, hash, csrf, code.get(), name, DisplayName.MAX_LENGTH));
            } catch (Store.ClassFull e) {
                LOG.info("a join of class " + code.get() + " was refused: the class is full");
                throw new ForbiddenResponse(e.getMessage());
            }
            LOG.info("a student joined class " + code.get());
            return student;
        } finally {
            if (!wrongCode) failedJoins.release(address);
        }
    }

    /** Restarts every kernel of a student of the class; their variables are gone, their saved cells stay. */
    public int restartKernelsOf(String classCode, String studentId) {
        boolean inClass = store.students(classCode).stream().anyMatch(s -> s.id().equals(studentId));
        if (!inClass) throw new NotFoundResponse("Class " + classCode + " has no such student.");
        int restarted = 0;
        for (KernelRegistry.KernelInfo info : kernels.of(studentId)) {
            var kernel = kernels.find(info.id(), studentId);
            if (kernel.isEmpty()) continue;      // closed meanwhile
            cells.cancel(info.id());
            kernel.get().restart();
            kernels.countRestart(info.id());
            restarted++;
        }
        return restarted;
    }

    /** The limits in force for every student's kernels, in words for the teacher's dashboard. */
    public List<String> limitsInForce() {
        var sandbox = kernels.pool().sandbox();
        var perKernel = sandbox.perKernel();
        List<String> lines = new ArrayList<>();
        lines.add(sandbox.available()
                ? "Sandbox: bubblewrap; no network, read-only system and class path at neutral paths, a private " + (perKernel.scratchBytes() >> 20)
                        + " MB /scratch" + (sandbox.scratchInodesLimited() ? " of at most " + perKernel.scratchInodes() + " files" : " (files not capped)")
                : "Sandbox: none");
        lines.add(!sandbox.resourceLimits()
                ? "Resource limits: NONE (no writable cgroups): a kernel's memory, processes and CPU are not limited"
                : "cgroups " + sandbox.cgroupsVersion() + ": " + (perKernel.memoryBytes() >> 20)
                        + " MB memory, " + perKernel.pids() + " processes and threads, " + perKernel.cpuCores() + " core per kernel");
        var budget = kernels.pool().memoryBudget();
        lines.add("Memory budget of all kernels together: " + budget.usage() + " in use (" + budget.source() + "; "
                + (budget.enforced() ? "a cgroup holds the kernels to it" : "no cgroup: it only decides whether a new kernel may start")
                + "); idle kernels are closed to make room, and new ones are refused when it is full");
        lines.add("Cells: " + cells.slots() + " running at once, " + cells.perLearner() + " per student; at most "
                + kernels.maxKernels() + " kernels");
        return lines;
    }

    /** Largest class size a teacher may set. */
    public static final int MAX_CLASS_SIZE = 500;

    /** Sets how many students may join the class; those already in stay. */
    public ClassInfo setClassSize(String classCode, int maxStudents) {
        if (maxStudents < 1 || maxStudents > MAX_CLASS_SIZE) {
            throw new BadRequestResponse("A class size is between 1 and " + MAX_CLASS_SIZE + ", found " + maxStudents + ".");
        }
        store.setClassSize(classCode, maxStudents);
        LOG.info("class " + classCode + " may now have " + maxStudents + " students");
        return store.findClass(classCode).orElseThrow();
    }

    /** How long kernels started for a class wait for it before they are stopped again. */
    public static final Duration KERNELS_WAIT_FOR_CLASS = Duration.ofMinutes(30);

    /**
     * Gets a kernel ready for every student still to arrive (the class size less those who already have a kernel), as
     * far as the server's kernel cap allows; the pool starts them one at a time in the background at its low CPU weight,
     * and stops those not taken after {@link #KERNELS_WAIT_FOR_CLASS}. A second call (this class or another) replaces
     * the first. How far it got is in the dashboard's resources.
     */
    public KernelPool.Readiness getKernelsReady(String classCode) {
        ClassInfo klass = classByCode(classCode);
        long withKernel = store.students(klass.code()).stream().filter(s -> !kernels.of(s.id()).isEmpty()).count();
        int toCome = (int) Math.max(0, klass.maxStudents() - withKernel);
        int learners = Math.min(toCome, Math.max(0, kernels.maxKernels() - kernels.size()));
        kernels.pool().expect(learners, KERNELS_WAIT_FOR_CLASS);
        LOG.info("class " + klass.code() + ": getting " + learners + " kernels ready (" + toCome + " students to come)");
        return kernels.pool().readiness();
    }

    /**
     * Removes a student from the class: their kernels are closed (a running cell stops), their session ends, and
     * they leave the list and the count, so a new student may take their place. Their saved work stays.
     */
    public int removeStudent(String classCode, String studentId) {
        boolean inClass = store.students(classCode).stream().anyMatch(s -> s.id().equals(studentId));
        if (!inClass) throw new NotFoundResponse("Class " + classCode + " has no such student.");
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        store.removeStudent(classCode, studentId, java.util.HexFormat.of().formatHex(random));   // first: no new kernel after this
        int closed = 0;
        for (KernelRegistry.KernelInfo info : kernels.of(studentId)) {
            cells.cancel(info.id());
            if (kernels.close(info.id(), studentId)) closed++;
        }
        LOG.info("a student was removed from class " + classCode + " (" + closed + " kernels closed)");
        return closed;
    }

    /** Clears every student's saved cells of a lesson (edits, outputs, exercise results). Returns how many cells were cleared. */
    public int resetLesson(String classCode, String lessonId) {
        if (lessons.find(lessonId).isEmpty()) throw new NotFoundResponse("No lesson \"" + lessonId + "\".");
        int cleared = store.resetLesson(classCode, lessonId);
        LOG.info("lesson " + lessonId + " reset for class " + classCode + " (" + cleared + " saved cells cleared)");
        return cleared;
    }

    private static String className(String typed) {
        if (typed == null) return "";
        String name = typed.strip().replaceAll("\\p{Zs}+", " ");
        if (name.codePointCount(0, name.length()) > MAX_CLASS_NAME) {
            throw new BadRequestResponse("A class name may have at most " + MAX_CLASS_NAME + " characters.");
        }
        if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            throw new BadRequestResponse("A class name may not contain control or invisible characters.");
        }
        return name;
    }

    private static TooManyRequestsResponse tooMany(Context ctx, Duration wait, String message) {
        ctx.header("Retry-After", Long.toString(RateLimit.seconds(wait)));
        return new TooManyRequestsResponse(message);
    }
}
