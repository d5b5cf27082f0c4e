package dev.glassbox.lessons;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * All lessons of a folder, in the order learners take them. A malformed file does not take the
 * others down: it is left out and listed in {@link #problems()}.
 */
public final class LessonCatalog {

    /** Where the build puts the lesson files inside the jar (see the module's pom). */
    static final String CLASSPATH_FOLDER = "lessons";

    private final List<Lesson> lessons;
    private final List<LessonFormatException> problems;
    private final Glossary glossary;

    private LessonCatalog(List<Lesson> lessons, List<LessonFormatException> problems, Glossary glossary) {
        this.lessons = List.copyOf(lessons);
        this.problems = List.copyOf(problems);
        this.glossary = glossary;
    }

    /**
     * Reads every {@code *.md} file directly in {@code dir} (not in subfolders): {@link Glossary#FILE} as the
     * glossary, every other one as a lesson. A lesson that requires an unknown lesson is left out.
     */
    public static LessonCatalog load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("lesson folder expected, found no folder at " + dir);
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries
                    .filter(path -> path.getFileName().toString().endsWith(".md") && Files.isRegularFile(path))
                    .filter(path -> !path.getFileName().toString().equals(Glossary.FILE))
                    .sorted(Comparator.comparing(path -> path.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list lesson folder " + dir, e);
        }

        List<Lesson> lessons = new ArrayList<>();
        List<LessonFormatException> problems = new ArrayList<>();
        Glossary glossary = Glossary.EMPTY;
        Path glossaryFile = dir.resolve(Glossary.FILE);
        if (Files.isRegularFile(glossaryFile)) {
            try {
                glossary = LessonParser.glossary(Glossary.FILE, utf8(Glossary.FILE, read(glossaryFile)));
            } catch (LessonFormatException e) {
                problems.add(e);
            }
        }
        Map<String, Lesson> byId = new HashMap<>();
        Map<String, String> texts = new HashMap<>();
        for (Path path : files) {
            String file = path.getFileName().toString();
            try {
                String text = utf8(file, read(path));
                Lesson lesson = LessonParser.parse(file, text, glossary);
                texts.put(file, text);
                Lesson first = byId.putIfAbsent(lesson.id(), lesson);
                if (first != null) {
                    int idLine = FrontMatter.read(file, LessonParser.lines(text)).idLine();
                    throw new LessonFormatException(file, idLine, "lesson id '" + lesson.id() + "' is already"
                            + " used by " + first.file() + ": expected every lesson to have its own id");
                }
                lessons.add(lesson);
            } catch (LessonFormatException e) {
                problems.add(e);
            }
        }
        // Prerequisites name lessons of the whole folder, so they are checked once every file is read.
        for (Lesson lesson : List.copyOf(lessons)) {
            for (String required : lesson.requires()) {
                if (byId.containsKey(required)) continue;
                try {
                    problems.add(new LessonFormatException(lesson.file(), LessonParser.requiresLine(lesson.file(), texts.get(lesson.file())),
                            "front matter field 'requires' names lesson '" + required + "', which this folder does not have:"
                                    + " expected one of " + byId.keySet().stream().filter(id -> !id.equals(lesson.id())).sorted().toList()));
                } catch (LessonFormatException e) {
                    throw new AssertionError("the front matter parsed a moment ago", e);
                }
                lessons.remove(lesson);
                break;
            }
        }
        problems.sort(Comparator.comparing(LessonFormatException::file));
        lessons.sort(Comparator.comparingInt(Lesson::order).thenComparing(Lesson::id));
        return new LessonCatalog(lessons, problems, glossary);
    }

    /**
     * The lessons shipped with Glassbox, from the {@code lessons/} folder on the class path: a
     * plain folder when running from the build output, or a folder inside the jar.
     */
    public static LessonCatalog fromClasspath() {
        return fromClassLoader(LessonCatalog.class.getClassLoader());
    }

    static LessonCatalog fromClassLoader(ClassLoader loader) {
        URL url = loader.getResource(CLASSPATH_FOLDER);
        if (url == null) {
            throw new IllegalStateException("no '" + CLASSPATH_FOLDER + "/' folder on the class path;"
                    + " expected the lessons module's jar or build output to provide it");
        }
        try {
            return switch (url.getProtocol()) {
                case "file" -> load(Path.of(url.toURI()));
                case "jar" -> fromJar(url);
                default -> throw new IllegalStateException(
                        "lessons found at " + url + ", expected them in a folder or a jar");
            };
        } catch (URISyntaxException e) {
            throw new IllegalStateException("lessons found at an unusable address " + url, e);
        }
    }

    /** A jar URL reads {@code jar:<jar file URI>!/<entry>}. */
    private static LessonCatalog fromJar(URL url) throws URISyntaxException {
        String address = url.toString();
        int separator = address.indexOf("!/");
        String entry = address.substring(separator + 1);
        if (entry.contains("!/")) {
            throw new IllegalStateException("lessons found in a jar nested in another jar at " + url
                    + ", expected them in a jar on the class path");
        }
        Path jar = Path.of(new URI(address.substring("jar:".length(), separator)));
        // A file system of our own, so closing it cannot disturb anyone else reading the same jar.
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            return load(zip.getPath(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + jar + " to read its lessons", e);
        }
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read lesson file " + path, e);
        }
    }

    /** Decodes strictly, so a file saved in another encoding is reported instead of garbled. */
    private static String utf8(String file, byte[] bytes) throws LessonFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never yields more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new LessonFormatException(file, line, String.format(
                    "file is not valid UTF-8: byte 0x%02X at offset %d; expected the lesson saved as UTF-8",
                    bytes[in.position()] & 0xFF, in.position()));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The lessons that parsed, sorted by order, then id. */
    public List<Lesson> lessons() {
        return lessons;
    }

    public Optional<Lesson> find(String id) {
        return lessons.stream().filter(lesson -> lesson.id().equals(id)).findFirst();
    }

    /** The folder's glossary; {@link Glossary#EMPTY} when it has none. */
    public Glossary glossary() {
        return glossary;
    }

    /** The lesson after this one in course order, if any. */
    public Optional<Lesson> next(Lesson lesson) {
        int index = lessons.indexOf(lesson);
        return index >= 0 && index + 1 < lessons.size() ? Optional.of(lessons.get(index + 1)) : Optional.empty();
    }

    /** One entry per file that was left out, in file name order. */
    public List<LessonFormatException> problems() {
        return problems;
    }
}
