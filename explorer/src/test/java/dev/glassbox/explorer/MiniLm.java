package dev.glassbox.explorer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The real sentence-transformers all-MiniLM-L6-v2 files from the langchain4j test dependency, copied once
 * per test JVM from the class path to a temporary folder (mapping needs a file), deleted at exit.
 */
public final class MiniLm {
    public static final String ONNX = "all-minilm-l6-v2.onnx";
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    private static Path folder;

    private MiniLm() {}

    public static synchronized Path onnx() { return copy(ONNX); }

    public static synchronized Path tokenizer() { return copy(TOKENIZER); }

    private static Path copy(String resource) {
        try {
            if (folder == null) {
                folder = Files.createTempDirectory("glassbox-minilm");
                folder.toFile().deleteOnExit();
            }
            Path file = folder.resolve(resource);
            if (!Files.exists(file)) {
                try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) throw new IllegalStateException(resource + " is not on the test class path");
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                file.toFile().deleteOnExit();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
