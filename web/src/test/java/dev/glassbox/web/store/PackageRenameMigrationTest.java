package dev.glassbox.web.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A learner who saved a cell before the shipped-model classes moved to {@code dev.glassbox.tinymodels} keeps a
 * cell that compiles: opening the old database rewrites the old package name in saved cells and imported
 * notebooks, and leaves every other name (the explorer's own {@code models} package) alone.
 */
class PackageRenameMigrationTest {
    @TempDir
    Path data;

    @Test
    void savedCellsAndDraftsNameTheNewPackage() throws Exception {
        String url = "jdbc:sqlite:" + data.resolve("glassbox.db");
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("4").load().migrate();
        String saved = """
                import dev.glassbox.models.*;
                import dev.glassbox.explorer.models.*;
                var m = (Bert) dev.glassbox.models.ModelCatalog.open("all-minilm-l6-v2");
                String dev_glassbox_models = "untouched";""";
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("INSERT INTO learner (id, token_hash, csrf_token, created_at, last_seen_at) VALUES ('l1', 'h', 'c', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
            try (var p = c.prepareStatement("INSERT INTO cell_state (learner_id, lesson_id, cell_id, code) VALUES ('l1', '080', 'c1', ?)")) {
                p.setString(1, saved);
                p.execute();
            }
            try (var p = c.prepareStatement("INSERT INTO draft_lesson (learner_id, id, title, markdown, created_at) VALUES ('l1', 'd1', 'Mine', ?, '2026-01-01T00:00:00Z')")) {
                p.setString(1, "```java\n" + saved + "\n```\n");
                p.execute();
            }
        }

        try (Store store = Store.open(data)) {
            String expected = """
                    import dev.glassbox.tinymodels.*;
                    import dev.glassbox.explorer.models.*;
                    var m = (Bert) dev.glassbox.tinymodels.ModelCatalog.open("all-minilm-l6-v2");
                    String dev_glassbox_models = "untouched";""";
            assertEquals(expected, store.lessonState("l1", "080").get("c1").code());
            assertEquals("```java\n" + expected + "\n```\n", store.draft("l1", "d1").orElseThrow().markdown());
        }
    }
}
