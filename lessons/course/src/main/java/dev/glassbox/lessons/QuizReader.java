package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the body of a {@code ```quiz} fence, line by line, so that every mistake names its file line:
 * <pre>
 * question: Which ...?
 * - [ ] a wrong choice :: why it is wrong
 * - [x] a right choice :: why it is right
 * </pre>
 * or, for a short answer, {@code question:}, {@code answer:}, an optional {@code accept:} regular
 * expression and an optional {@code explain:}.
 */
final class QuizReader {

    /** Renders one line of Markdown (with its glossary terms) found on a file line. */
    interface Inline {
        String render(String markdown, int line) throws LessonFormatException;
    }

    private static final Pattern FIELD = Pattern.compile("([a-z]+):\\s*(.*)");
    private static final Pattern CHOICE = Pattern.compile("- \\[(.?)]\\s*(.*)");
    private static final List<String> FIELDS = List.of("question", "answer", "accept", "explain");
    /** {@code " :: "} between a choice and its explanation (the line was stripped, so it may end in {@code " ::"}). */
    private static final Pattern EXPLANATION = Pattern.compile("\\s::(\\s|$)");

    private QuizReader() {}

    /** @param line file line of the opening fence; body line k is file line {@code line + k} */
    static Quiz read(String file, int line, String id, String body, Inline inline) throws LessonFormatException {
        List<String> lines = LessonParser.lines(body);
        Map<String, String> fields = new HashMap<>();
        Map<String, Integer> fieldLines = new HashMap<>();
        List<Quiz.Choice> choices = new ArrayList<>();
        int firstChoiceLine = 0;
        for (int k = 0; k < lines.size(); k++) {
            String text = lines.get(k).strip();
            int at = line + 1 + k;
            if (text.isEmpty()) continue;
            Matcher choice = CHOICE.matcher(text);
            Matcher field = FIELD.matcher(text);
            if (choice.matches()) {
                String mark = choice.group(1);
                if (!mark.equals(" ") && !mark.equalsIgnoreCase("x")) {
                    throw new LessonFormatException(file, at, "choice '" + text + "' of quiz '" + id
                            + "': expected '- [ ] ' for a wrong choice or '- [x] ' for a right one");
                }
                String rest = choice.group(2);
                Matcher separator = EXPLANATION.matcher(rest);
                int split = separator.find() ? separator.start() : -1;
                String shown = (split < 0 ? rest : rest.substring(0, split)).strip();
                String why = split < 0 ? null : rest.substring(separator.end()).strip();
                if (shown.isEmpty()) {
                    throw new LessonFormatException(file, at, "empty choice in quiz '" + id + "': expected the choice's text after '- ["
                            + mark + "] '");
                }
                if (why != null && why.isEmpty()) {
                    throw new LessonFormatException(file, at, "empty explanation after ' :: ' in quiz '" + id
                            + "': expected text saying why this choice is right or wrong, or no ' :: '");
                }
                if (firstChoiceLine == 0) firstChoiceLine = at;
                choices.add(new Quiz.Choice(inline.render(shown, at), mark.equalsIgnoreCase("x"),
                        why == null ? null : inline.render(why, at)));
            } else if (field.matches() && FIELDS.contains(field.group(1))) {
                String name = field.group(1);
                if (fields.containsKey(name)) {
                    throw new LessonFormatException(file, at, "quiz '" + id + "' has a second '" + name + ":' (the first is on line "
                            + fieldLines.get(name) + ")");
                }
                if (field.group(2).isBlank()) {
                    throw new LessonFormatException(file, at, "'" + name + ":' of quiz '" + id + "' is empty: expected text after it");
                }
                fields.put(name, field.group(2).strip());
                fieldLines.put(name, at);
            } else {
                throw new LessonFormatException(file, at, "unexpected line '" + text + "' in quiz '" + id + "': expected"
                        + " 'question: ...', choices '- [ ] ...' / '- [x] ...', or 'answer:', 'accept:', 'explain:'");
            }
        }

        if (!fields.containsKey("question")) {
            throw new LessonFormatException(file, line, "quiz '" + id + "' has no question: expected a 'question: ...' line");
        }
        String answer = fields.get("answer");
        String accept = fields.get("accept");
        if (!choices.isEmpty() && answer != null) {
            throw new LessonFormatException(file, fieldLines.get("answer"), "quiz '" + id + "' has both choices (line "
                    + firstChoiceLine + ") and an 'answer:': expected multiple choice or a short answer, not both");
        }
        if (choices.isEmpty() && answer == null) {
            throw new LessonFormatException(file, line, "quiz '" + id + "' has neither choices nor an answer: expected"
                    + " lines '- [ ] ...' and '- [x] ...', or 'answer: ...'");
        }
        if (!choices.isEmpty()) {
            if (accept != null) {
                throw new LessonFormatException(file, fieldLines.get("accept"), "'accept:' belongs to a short-answer quiz;"
                        + " quiz '" + id + "' is multiple choice");
            }
            if (choices.size() < 2) {
                throw new LessonFormatException(file, firstChoiceLine, "quiz '" + id + "' has one choice: expected two or more");
            }
            if (choices.stream().noneMatch(Quiz.Choice::correct)) {
                throw new LessonFormatException(file, firstChoiceLine, "quiz '" + id + "' has no correct choice: expected"
                        + " at least one '- [x] ' line");
            }
        }
        if (accept != null) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(accept, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } catch (PatternSyntaxException e) {
                throw new LessonFormatException(file, fieldLines.get("accept"), "'accept:' of quiz '" + id
                        + "' is not a valid Java regular expression: " + e.getDescription() + " near index " + e.getIndex());
            }
            if (!pattern.matcher(answer).matches()) {
                throw new LessonFormatException(file, fieldLines.get("accept"), "'accept:' of quiz '" + id + "' does not accept"
                        + " its own answer '" + answer + "': expected a pattern that matches the answer");
            }
        }
        String explain = fields.get("explain");
        return new Quiz(id, line, inline.render(fields.get("question"), fieldLines.get("question")), choices, answer, accept,
                explain == null ? null : inline.render(explain, fieldLines.get("explain")));
    }
}
