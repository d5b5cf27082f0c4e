package dev.glassbox.web.classroom;

import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.notebook.CellQueue;
import dev.glassbox.web.notebook.KernelRegistry;
import dev.glassbox.web.notebook.KernelRegistry.KernelInfo;
import dev.glassbox.notebook.host.ProcessMemory;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.CellSummary;
import dev.glassbox.web.store.Store.ClassInfo;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the teacher's dashboard shows of a class, built fresh for every poll: who is here, each
 * student's progress per lesson, their kernels, and how busy the server is. Memory is measured at
 * most every two seconds, however many teachers poll.
 */
public final class ClassDashboard {
    /** Seen this recently: at the keyboard. */
    static final Duration ACTIVE = Duration.ofMinutes(2);
    /** Seen this recently: still around. Longer: away. */
    static final Duration IDLE = Duration.ofMinutes(15);
    private static final Duration MEASURE_EVERY = Duration.ofSeconds(2);

    /** Times are ISO-8601 instants, as text. */
    public record View(ClassView classroom, List<LessonColumn> lessons, List<StudentRow> students, Resources resources,
                       String generatedAt) {}

    public record ClassView(String code, String name, String createdAt, int students, int maxStudents) {}

    public record LessonColumn(String id, String title, int cells, int exercises, int quizzes) {}

    /** {@code presence}: active, idle or away. {@code lessons}: by lesson id, only lessons the student has touched. */
    public record StudentRow(String id, String name, String joinedAt, String lastSeen, String presence,
                             List<KernelView> kernels, Map<String, LessonProgress> lessons) {}

    /**
     * {@code state}: idle or busy; {@code rssBytes}: resident memory of the kernel's processes, null when unknown;
     * {@code stops}: the last times the server stopped and replaced it, with the reason its learner was given;
     * {@code penalized}: for a while after a stop its cells get the CPU after everyone else's.
     */
    public record KernelView(String state, int restarts, Long rssBytes, String lastUsed, List<StopView> stops, boolean penalized) {}

    /** One time the server stopped a kernel: when, and why. */
    public record StopView(String at, String reason) {}

    /** {@code lastStatus}: of the cell run last (ok, error, timeout, ...), with its cell id and time. */
    public record LessonProgress(int exercisesPassed, int exercises, int cellsEdited, int cellsRun, int cells,
                                 String lastStatus, String lastCell, String lastRunAt, int quizzesPassed, int quizzes) {}

    /**
     * {@code kernelsWarm}: started and waiting for a learner; {@code kernelsStarting}: on their way (queued or starting);
     * {@code kernelsWanted}: how many the pool keeps ready now (more while a class is expected, see Classroom#getKernelsReady).
     */
    public record Resources(int kernelsOpen, int kernelsMax, long kernelsBusy, int kernelsWarm, int kernelsStarting, int kernelsWanted, int cellsRunning,
                            int cellsQueued, int cellSlots, Long kernelMemoryBytes, long serverHeapBytes,
                            int cores, double loadAverage, Long machineMemoryBytes, Long machineAvailableBytes,
                            long kernelBudgetBytes, long kernelBudgetUsedBytes) {}

    private record Measurement(Instant at, Map<Long, Long> rssByPid, Long kernelMemoryBytes) {}

    private final Store store;
    private final LessonCatalog lessons;
    private final KernelRegistry kernels;
    private final CellQueue cells;
    private final Sessions sessions;
    private volatile Measurement measured = new Measurement(Instant.EPOCH, Map.of(), null);

    public ClassDashboard(Store store, LessonCatalog lessons, KernelRegistry kernels, CellQueue cells, Sessions sessions) {
        this.store = store;
        this.lessons = lessons;
        this.kernels = kernels;
        this.cells = cells;
        this.sessions = sessions;
    }

    public View view(ClassInfo classroom) {
        Instant now = Instant.now();
        Measurement memory = measure(now);
        List<LessonColumn> columns = lessons.lessons().stream()
                .map(l -> new LessonColumn(l.id(), l.title(), l.cells().size(), (int) l.cells().stream().filter(Cell::exercise).count(),
                        l.quizzes().size()))
                .toList();
        Map<String, List<CellSummary>> cellsByStudent = store.classCells(classroom.code()).stream()
                .collect(Collectors.groupingBy(CellSummary::learnerId));
        Map<String, List<Store.QuizSummary>> quizzesByStudent = store.classQuizzes(classroom.code()).stream()
                .collect(Collectors.groupingBy(Store.QuizSummary::learnerId));
        List<StudentRow> rows = new ArrayList<>();
        for (Store.Student s : store.students(classroom.code())) {
            Instant lastSeen = sessions.lastSeen(s.id(), s.lastSeenAt());
            List<KernelInfo> own = kernels.of(s.id()).stream().sorted(Comparator.comparing(KernelInfo::lastUsed).reversed()).toList();
            List<KernelView> kernelViews = own.stream()
                    .map(k -> new KernelView(k.busy() ? "busy" : "idle", k.restarts(), memory.rssByPid().get(k.pid()), k.lastUsed().toString(),
                            k.stops().stream().map(stop -> new StopView(stop.at().toString(), stop.reason())).toList(), k.penalized()))
                    .toList();
            Instant lastActive = own.stream().map(KernelInfo::lastUsed).reduce(lastSeen, (a, b) -> a.isAfter(b) ? a : b);
            rows.add(new StudentRow(s.id(), s.displayName(), s.joinedAt().toString(), lastActive.toString(), presence(lastActive, now),
                    kernelViews, progress(cellsByStudent.getOrDefault(s.id(), List.of()), quizzesByStudent.getOrDefault(s.id(), List.of()))));
        }
        var budget = kernels.pool().memoryBudget();       // all kernels together, warm ones included
        var readiness = kernels.pool().readiness();
        Resources resources = new Resources(kernels.size(), kernels.maxKernels(), kernels.busyCount(), readiness.warm(), readiness.starting(), readiness.target(),
                cells.running(), cells.queued(), cells.slots(), memory.kernelMemoryBytes(),
                Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                machineMemory(true), machineMemory(false), budget.limitBytes(), budget.usedBytes());
        ClassView classView = new ClassView(classroom.code(), classroom.name(), classroom.createdAt().toString(), classroom.students(),
                classroom.maxStudents());
        return new View(classView, columns, rows, resources, now.toString());
    }

    private Map<String, LessonProgress> progress(List<CellSummary> saved, List<Store.QuizSummary> answered) {
        Map<String, LessonProgress> byLesson = new LinkedHashMap<>();
        Map<String, List<CellSummary>> grouped = saved.stream().collect(Collectors.groupingBy(CellSummary::lessonId));
        Map<String, List<Store.QuizSummary>> quizzesByLesson = answered.stream().collect(Collectors.groupingBy(Store.QuizSummary::lessonId));
        for (Lesson lesson : lessons.lessons()) {
            List<CellSummary> cellsOfLesson = grouped.getOrDefault(lesson.id(), List.of());
            List<Store.QuizSummary> quizzesOfLesson = quizzesByLesson.getOrDefault(lesson.id(), List.of());
            if (cellsOfLesson.isEmpty() && quizzesOfLesson.isEmpty()) continue;
            int quizzesPassed = (int) quizzesOfLesson.stream().filter(q -> q.correct() && lesson.quiz(q.quizId()).isPresent()).count();
            Set<String> exerciseIds = lesson.cells().stream().filter(Cell::exercise).map(Cell::id).collect(Collectors.toSet());
            Set<String> cellIds = lesson.cells().stream().map(Cell::id).collect(Collectors.toSet());
            int passed = 0, edited = 0, run = 0;
            CellSummary last = null;
            for (CellSummary c : cellsOfLesson) {
                if (!cellIds.contains(c.cellId())) continue;      // a cell the lesson no longer has
                if (exerciseIds.contains(c.cellId()) && Boolean.TRUE.equals(c.exercisePassed())) passed++;
                if (c.edited()) edited++;
                if (c.status() != null) run++;
                if (c.ranAt() != null && (last == null || c.ranAt().isAfter(last.ranAt()))) last = c;
            }
            byLesson.put(lesson.id(), new LessonProgress(passed, exerciseIds.size(), edited, run, cellIds.size(),
                    last == null ? null : last.status(), last == null ? null : last.cellId(), last == null ? null : last.ranAt().toString(),
                    quizzesPassed, lesson.quizzes().size()));
        }
        return byLesson;
    }

    static String presence(Instant lastSeen, Instant now) {
        if (lastSeen == null) return "away";
        Duration ago = Duration.between(lastSeen, now);
        return ago.compareTo(ACTIVE) <= 0 ? "active" : ago.compareTo(IDLE) <= 0 ? "idle" : "away";
    }

    /**
     * Resident memory of every open kernel's process tree, and their sum. (Not "everything the server
     * started": warm kernels are not anybody's yet, and a server run by a test also starts its browsers.)
     */
    private Measurement measure(Instant now) {
        Measurement last = measured;
        if (Duration.between(last.at(), now).compareTo(MEASURE_EVERY) < 0) return last;
        List<Long> roots = kernels.all().stream().map(KernelInfo::pid).filter(p -> p > 0).toList();
        Map<Long, Long> rss = ProcessMemory.ofTrees(roots);
        Long total = rss.isEmpty() && !roots.isEmpty() ? null : rss.values().stream().mapToLong(Long::longValue).sum();
        Measurement m = new Measurement(now, rss, total);
        measured = m;
        return m;
    }

    private static Long machineMemory(boolean total) {
        if (!total) {
            var available = ProcessMemory.availableBytes();
            if (available.isPresent()) return available.getAsLong();
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return total ? os.getTotalMemorySize() : os.getFreeMemorySize();
        }
        return null;
    }
}
