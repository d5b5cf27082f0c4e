package dev.glassbox.lessons;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the info string of a {@code ```java} fence says: {@code java [id=NAME] [exercise]} for a
 * cell, {@code java check for=NAME} for the hidden check of an exercise, or
 * {@code java solution for=NAME} for its hidden solution.
 *
 * @param id          the cell id the author chose, or {@code null} to number the cell
 * @param exercise    whether the cell is an exercise
 * @param checkFor    for a check, the id of the exercise it grades; {@code null} otherwise
 * @param solutionFor for a solution, the id of the exercise it solves; {@code null} otherwise
 */
record FenceInfo(String id, boolean exercise, String checkFor, String solutionFor) {

    static final String JAVA = "java";
    static final String QUIZ = "quiz";
    static final String HINT = "hint";
    static final String TEACHER = "teacher";
    private static final Set<String> KINDS = Set.of(JAVA, QUIZ, HINT, TEACHER);
    /** Attribute words, with the {@code =} for those that take a value. */
    private static final Set<String> ATTRIBUTES = Set.of("id=", "exercise", "check", "solution", "for=");

    /** Only fences whose first word is exactly {@code java} are cells; other languages stay prose. */
    static boolean isJava(String info) {
        return JAVA.equals(kind(info));
    }

    /** The lesson block a fence opens ({@link #JAVA}, {@link #QUIZ}, {@link #HINT}, {@link #TEACHER}), or null for plain code. */
    static String kind(String info) {
        if (info == null || info.isBlank()) return null;
        String first = words(info).getFirst();
        return KINDS.contains(first) ? first : null;
    }

    /**
     * The {@code name=VALUE} attributes after the first word of a quiz, hint or teacher fence.
     *
     * @param allowed the attributes this kind of block takes, each with its {@code =}
     */
    static Map<String, String> attributes(String file, int line, String info, Set<String> allowed) throws LessonFormatException {
        List<String> words = words(info);
        Map<String, String> values = new HashMap<>();
        for (String word : words.subList(1, words.size())) {
            int equals = word.indexOf('=');
            String attribute = equals < 0 ? word : word.substring(0, equals + 1);
            if (!allowed.contains(attribute)) {
                throw new LessonFormatException(file, line, "unknown attribute '" + word + "' on a ```" + words.getFirst()
                        + " fence: expected " + (allowed.isEmpty() ? "none" : allowed.stream().sorted().map(a -> a + "NAME")
                        .reduce((a, b) -> a + " and " + b).orElseThrow()));
            }
            if (values.put(attribute, cellId(file, line, word, word.substring(equals + 1))) != null) {
                throw new LessonFormatException(file, line,
                        "attribute '" + attribute + "' appears twice in '```" + info.strip() + "'");
            }
        }
        return values;
    }

    boolean isCheck() {
        return checkFor != null;
    }

    boolean isSolution() {
        return solutionFor != null;
    }

    /** Reads the words after {@code java}; {@code line} is the fence's file line, for messages. */
    static FenceInfo parse(String file, int line, String info) throws LessonFormatException {
        assert isJava(info) : info;
        List<String> words = words(info);
        Set<String> seen = new HashSet<>();
        String id = null;
        String forId = null;
        boolean exercise = false;
        boolean check = false;
        boolean solution = false;
        for (String word : words.subList(1, words.size())) {
            int equals = word.indexOf('=');
            String attribute = equals < 0 ? word : word.substring(0, equals + 1);
            if (!ATTRIBUTES.contains(attribute)) {
                throw new LessonFormatException(file, line, "unknown attribute '" + word
                        + "' on a ```java fence: expected id=NAME, exercise, check for=NAME or solution for=NAME");
            }
            if (!seen.add(attribute)) {
                throw new LessonFormatException(file, line,
                        "attribute '" + attribute + "' appears twice in '```" + info.strip() + "'");
            }
            switch (attribute) {
                case "exercise" -> exercise = true;
                case "check" -> check = true;
                case "solution" -> solution = true;
                case "id=" -> id = cellId(file, line, word, word.substring(equals + 1));
                case "for=" -> forId = cellId(file, line, word, word.substring(equals + 1));
                default -> throw new AssertionError(attribute);
            }
        }
        if (check && solution) {
            throw new LessonFormatException(file, line, "a block is a check or a solution, not both: expected"
                    + " '```java check for=" + forId + "' or '```java solution for=" + forId + "'");
        }
        String hidden = check ? "check" : "solution";
        if ((check || solution) && forId == null) {
            throw new LessonFormatException(file, line,
                    "a " + hidden + " must name the exercise it belongs to: expected '```java " + hidden + " for=NAME'");
        }
        if (!check && !solution && forId != null) {
            throw new LessonFormatException(file, line, "'for=" + forId + "' only belongs on a check or a solution:"
                    + " expected '```java check for=" + forId + "' or '```java solution for=" + forId + "'");
        }
        if ((check || solution) && (exercise || id != null)) {
            throw new LessonFormatException(file, line, "a " + hidden + " is hidden and is not a cell, so it takes no id="
                    + " or exercise: expected just '```java " + hidden + " for=" + forId + "'");
        }
        return new FenceInfo(id, exercise, check ? forId : null, solution ? forId : null);
    }

    private static String cellId(String file, int line, String word, String name) throws LessonFormatException {
        if (!FrontMatter.ID.matcher(name).matches()) {
            throw new LessonFormatException(file, line, "malformed cell id '" + name + "' in '" + word
                    + "': expected lowercase letters and digits in words joined by single dashes, like 'dot-scalar'");
        }
        return name;
    }

    private static List<String> words(String info) {
        return Arrays.asList(info.strip().split("\\s+"));
    }
}
