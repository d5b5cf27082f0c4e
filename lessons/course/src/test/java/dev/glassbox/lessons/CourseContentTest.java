package dev.glassbox.lessons;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The course contract's blocks in every shipped lesson, read from the raw files: each {@code ```quiz} has
 * exactly the contract's fields and an answer key that can be checked (one or more {@code [x]} with an
 * explanation for every choice, or an answer its {@code accept} pattern matches, with an explanation); every
 * exercise has a {@code ```hint}; every lesson has a {@code ```teacher} block, at least three checked steps,
 * and objectives, minutes and prerequisites that name shipped lessons.
 */
class CourseContentTest {
    private static final Pattern CHOICE = Pattern.compile("- \\[([ x])] (.+?) :: (.+)");
    private static final Pattern FIELD = Pattern.compile("(question|answer|accept|explain): (.+)");

    /** One lesson file's text by file name, straight from the class path folder the build copies them to. */
    static Map<String, String> files() throws IOException, URISyntaxException {
        Path dir = Path.of(CourseContentTest.class.getClassLoader().getResource(LessonCatalog.CLASSPATH_FOLDER).toURI());
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                if (p.getFileName().toString().equals("glossary.md")) continue;
                files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static List<FencedCodeBlock> fences(String text) {
        Node doc = Parser.builder().build().parse(text);
        List<FencedCodeBlock> fences = new ArrayList<>();
        for (Node n = doc.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof FencedCodeBlock f) fences.add(f);
        }
        return fences;
    }

    private static String attribute(String info, String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + name + "=(\\S+)").matcher(info);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void everyQuizHasTheContractsFieldsAndACheckableKey() throws Exception {
        List<String> problems = new ArrayList<>();
        int quizzes = 0;
        for (var file : files().entrySet()) {
            Set<String> ids = new HashSet<>();
            for (FencedCodeBlock fence : fences(file.getValue())) {
                String info = fence.getInfo().strip();
                if (!info.split("\\s+")[0].equals("quiz")) continue;
                quizzes++;
                String id = attribute(info, "id");
                String where = file.getKey() + " quiz " + id;
                if (id == null || !FrontMatter.ID.matcher(id).matches()) problems.add(file.getKey() + ": quiz without a valid id=: " + info);
                if (!ids.add(String.valueOf(id))) problems.add(where + ": id used twice");
                problems.addAll(quizProblems(where, fence.getLiteral()));
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(quizzes >= 10, "expected the course to have quizzes, found " + quizzes);
    }

    /** What is wrong with one quiz body, empty when it follows the contract. */
    static List<String> quizProblems(String where, String body) {
        List<String> problems = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        int choices = 0, correct = 0;
        for (String line : body.strip().split("\n")) {
            if (line.isBlank()) continue;
            Matcher choice = CHOICE.matcher(line.strip());
            Matcher field = FIELD.matcher(line.strip());
            if (choice.matches()) {
                choices++;
                if (choice.group(1).equals("x")) correct++;
                if (choice.group(3).isBlank()) problems.add(where + ": choice without an explanation: " + line);
            } else if (field.matches()) {
                if (fields.put(field.group(1), field.group(2).strip()) != null) problems.add(where + ": field " + field.group(1) + " twice");
            } else {
                problems.add(where + ": line is neither a field nor '- [ ] choice :: explanation': " + line);
            }
        }
        if (!fields.containsKey("question")) problems.add(where + ": no question");
        if (choices > 0) {
            if (fields.containsKey("answer") || fields.containsKey("accept") || fields.containsKey("explain")) {
                problems.add(where + ": a multiple-choice quiz takes no answer/accept/explain (each choice explains itself)");
            }
            if (choices < 2) problems.add(where + ": only " + choices + " choice");
            if (correct == 0) problems.add(where + ": no choice marked [x]");
            if (correct == choices) problems.add(where + ": every choice is correct, so the quiz cannot be failed");
        } else {
            String answer = fields.get("answer");
            if (answer == null) problems.add(where + ": neither choices nor an answer");
            if (!fields.containsKey("explain")) problems.add(where + ": a short-answer quiz needs explain:");
            String accept = fields.get("accept");
            if (accept != null && answer != null) {
                try {
                    Pattern p = Pattern.compile(accept, Pattern.CASE_INSENSITIVE);
                    if (!p.matcher(answer.strip()).matches()) problems.add(where + ": accept " + accept + " rejects its own answer " + answer);
                    if (p.matcher("").matches()) problems.add(where + ": accept " + accept + " takes an empty answer");
                } catch (PatternSyntaxException e) {
                    problems.add(where + ": accept is not a Java regex: " + e.getDescription());
                }
            }
        }
        return problems;
    }

    @Test
    void quizCheckerCatchesBrokenKeys() {
        assertEquals(List.of(), quizProblems("q", "question: Q?\n- [ ] a :: no\n- [x] b :: yes\n"));
        assertEquals(List.of(), quizProblems("q", "question: Q?\nanswer: 34\naccept: ^34( bytes)?$\nexplain: why\n"));
        assertFalse(quizProblems("q", "question: Q?\n- [ ] a :: no\n- [ ] b :: no\n").isEmpty(), "no correct choice");
        assertFalse(quizProblems("q", "question: Q?\n- [ ] a\n- [x] b :: yes\n").isEmpty(), "a choice without explanation");
        assertFalse(quizProblems("q", "question: Q?\nanswer: 34\naccept: ^35$\nexplain: why\n").isEmpty(), "accept rejects the answer");
        assertFalse(quizProblems("q", "question: Q?\nanswer: 34\n").isEmpty(), "no explanation");
        assertFalse(quizProblems("q", "question: Q?\nanswer: 34\nexplain: x\nhint: y\n").isEmpty(), "unknown field");
    }

    @Test
    void everyLessonHasTheCourseShape() throws Exception {
        Map<String, String> files = files();
        YAMLMapper yaml = new YAMLMapper();
        Set<String> lessonIds = new HashSet<>();
        Map<String, JsonNode> fronts = new LinkedHashMap<>();
        for (var file : files.entrySet()) {
            String text = file.getValue();
            int end = text.indexOf("\n---", 4);
            JsonNode front = yaml.readTree(text.substring(4, end));
            fronts.put(file.getKey(), front);
            lessonIds.add(front.get("id").asText());
        }
        List<String> problems = new ArrayList<>();
        for (var file : files.entrySet()) {
            String name = file.getKey();
            JsonNode front = fronts.get(name);
            if (!name.equals(String.format("%03d-%s.md", front.get("order").asInt(), front.get("id").asText()))) {
                problems.add(name + ": expected the file name NNN-id.md from its order and id");
            }
            if (front.path("objectives").size() < 2) problems.add(name + ": expected two or more objectives");
            if (!front.path("minutes").isInt()) problems.add(name + ": expected minutes: N");
            if (!front.path("requires").isArray()) problems.add(name + ": expected requires: [ids]");
            for (JsonNode r : front.path("requires")) {
                if (!lessonIds.contains(r.asText())) problems.add(name + ": requires unknown lesson " + r.asText());
            }
            Set<String> exercises = new HashSet<>(), hinted = new HashSet<>();
            int quizzes = 0, teacher = 0;
            for (FencedCodeBlock fence : fences(file.getValue())) {
                String info = fence.getInfo().strip();
                String kind = info.isEmpty() ? "" : info.split("\\s+")[0];
                switch (kind) {
                    case "java" -> { if (info.matches(".*\\bexercise\\b.*")) exercises.add(attribute(info, "id")); }
                    case "quiz" -> quizzes++;
                    case "teacher" -> teacher++;
                    case "hint" -> {
                        hinted.add(attribute(info, "for"));
                        if (fence.getLiteral().isBlank()) problems.add(name + ": empty hint for " + attribute(info, "for"));
                    }
                    default -> { }
                }
            }
            for (String h : hinted) if (!exercises.contains(h)) problems.add(name + ": hint for unknown exercise " + h);
            for (String e : exercises) if (!hinted.contains(e)) problems.add(name + ": exercise " + e + " has no hint");
            if (exercises.size() + quizzes < 3) {
                problems.add(name + ": " + exercises.size() + " exercises + " + quizzes + " quizzes, expected 3 or more checked steps");
            }
            if (teacher != 1) problems.add(name + ": expected one teacher block, found " + teacher);
        }
        assertEquals(List.of(), problems);
    }

    /** Keeps the shared reader honest: it reads the same folder the catalog reads. */
    @Test
    void readsEveryShippedLesson() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(LessonCatalog.CLASSPATH_FOLDER + "/050-vectors-in-the-notebook.md")) {
            assertTrue(in != null);
        }
        assertEquals(LessonCatalog.fromClasspath().lessons().size(), files().size());
    }
}
