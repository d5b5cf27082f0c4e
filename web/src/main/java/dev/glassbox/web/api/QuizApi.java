package dev.glassbox.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.lessons.Quiz;
import dev.glassbox.web.security.Sessions;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.Learner;
import dev.glassbox.web.store.Store.QuizAnswer;
import dev.glassbox.web.server.RequestBody;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/lessons/{lesson}/quizzes/{quiz}}: grades a learner's answer on the server and keeps it.
 * The page never holds the key: a wrong answer gets the explanations of the choices it picked; the key and
 * every explanation come back once the answer is right, or when the learner gives up ({@code "reveal": true}).
 */
public final class QuizApi {
    /** Longest short answer graded; anything longer is certainly not the answer. */
    static final int MAX_ANSWER_CHARS = 500;

    private final LessonCatalog lessons;
    private final Sessions sessions;
    private final Store store;

    public QuizApi(LessonCatalog lessons, Sessions sessions, Store store) {
        this.lessons = lessons;
        this.sessions = sessions;
        this.store = store;
    }

    /** A learner's answer: chosen choices (multiple choice) or text (short answer); {@code reveal} asks for the key. */
    record Answer(Set<Integer> choices, String text, boolean reveal) {}

    public void answer(Context ctx) {
        Learner learner = sessions.current(ctx).orElseThrow(() -> new ForbiddenResponse("No session: GET /api/session first"));
        String lessonId = ctx.pathParam("lesson");
        Lesson lesson = lessons.find(lessonId).orElseThrow(() -> new NotFoundResponse("No lesson \"" + lessonId + "\""));
        String quizId = ctx.pathParam("quiz");
        Quiz quiz = lesson.quiz(quizId).orElseThrow(() -> new NotFoundResponse("Lesson \"" + lesson.id() + "\" has no quiz \"" + quizId + "\""));
        Answer answer = read(quiz, RequestBody.of(ctx).json());
        boolean correct = !answer.reveal() && grade(quiz, answer);
        if (!answer.reveal()) {
            store.saveQuizAnswer(learner.id(), lesson.id(), quiz.id(), Json.write(answerJson(answer)), correct);
        }
        ctx.header("Cache-Control", "no-store");
        ctx.json(feedback(quiz, answer, correct));
    }

    /** The feedback for each quiz of a lesson the learner has answered, as {@link #answer} gave it. */
    public Map<String, Object> saved(Lesson lesson, String learnerId) {
        Map<String, Object> byQuiz = new LinkedHashMap<>();
        for (QuizAnswer saved : store.quizAnswers(learnerId, lesson.id()).values()) {
            lesson.quiz(saved.quizId()).ifPresent(quiz -> {
                try {
                    Answer answer = read(quiz, Json.MAPPER.readTree(saved.answerJson()));
                    boolean correct = grade(quiz, answer);
                    Map<String, Object> feedback = feedback(quiz, answer, correct);
                    feedback.put("everCorrect", saved.correct());
                    byQuiz.put(quiz.id(), feedback);
                } catch (java.io.IOException | RuntimeException e) {
                    // An answer saved for an older version of the quiz: the learner answers again.
                }
            });
        }
        return byQuiz;
    }

    private static boolean grade(Quiz quiz, Answer answer) {
        return quiz.multipleChoice() ? quiz.grade(answer.choices()) : quiz.grade(answer.text());
    }

    private static Answer read(Quiz quiz, JsonNode body) {
        boolean reveal = body.path("reveal").asBoolean(false);
        if (reveal) return new Answer(Set.of(), "", true);
        if (quiz.multipleChoice()) {
            JsonNode choices = body.get("choices");
            if (choices == null || !choices.isArray()) {
                throw new BadRequestResponse("Quiz \"" + quiz.id() + "\" is multiple choice: body needs \"choices\", an array of choice numbers");
            }
            Set<Integer> chosen = new LinkedHashSet<>();
            for (JsonNode choice : choices) {
                if (!choice.canConvertToInt() || choice.asInt() < 0 || choice.asInt() >= quiz.choices().size()) {
                    throw new BadRequestResponse("Quiz \"" + quiz.id() + "\" has choices 0 to " + (quiz.choices().size() - 1)
                            + ", found " + choice);
                }
                chosen.add(choice.asInt());
            }
            if (chosen.isEmpty()) throw new BadRequestResponse("Choose at least one answer");
            return new Answer(chosen, null, false);
        }
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) {
            throw new BadRequestResponse("Quiz \"" + quiz.id() + "\" takes a short answer: body needs \"text\", a string");
        }
        if (text.asText().isBlank()) throw new BadRequestResponse("Write an answer first");
        if (text.asText().length() > MAX_ANSWER_CHARS) {
            throw new BadRequestResponse("An answer is at most " + MAX_ANSWER_CHARS + " characters, found " + text.asText().length());
        }
        return new Answer(Set.of(), text.asText(), false);
    }

    private static Map<String, Object> answerJson(Answer answer) {
        return answer.text() != null ? Map.of("text", answer.text()) : Map.of("choices", List.copyOf(answer.choices()));
    }

    /** What the page shows after an answer; the key only when the answer is right or the learner asked for it. */
    private static Map<String, Object> feedback(Quiz quiz, Answer answer, boolean correct) {
        boolean key = correct || answer.reveal();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("correct", correct);
        out.put("revealed", answer.reveal());
        if (quiz.multipleChoice()) {
            out.put("chosen", List.copyOf(answer.choices()));
            List<Map<String, Object>> choices = new ArrayList<>();
            for (int i = 0; i < quiz.choices().size(); i++) {
                Quiz.Choice choice = quiz.choices().get(i);
                Map<String, Object> c = new LinkedHashMap<>();
                if (key || answer.choices().contains(i)) {
                    c.put("correct", choice.correct());
                    c.put("explanation", choice.explanation());
                }
                choices.add(c);
            }
            out.put("choices", choices);
        } else {
            out.put("text", answer.text());
            if (key) out.put("answer", quiz.answer());
        }
        if (key) out.put("explanation", quiz.explanation());
        return out;
    }
}
