package dev.glassbox.web;

import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.notebook.host.Sandbox;
import dev.glassbox.web.classroom.Passphrase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Glassbox refuses to start with: classroom mode without a sandbox or a good passphrase, the network without classroom mode. */
class StartupTest {
    @TempDir
    Path data;

    @Test
    void classroomModeRefusesToStartWithoutASandbox() {
        App.Settings settings = new App.Settings("127.0.0.1", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0))
                .withClassroom(Passphrase.of("a long enough passphrase"))
                .withSandbox(Sandbox.none("bubblewrap (bwrap) is not installed"));
        App.StartupException e = assertThrows(App.StartupException.class, () -> App.start(settings));
        assertTrue(e.getMessage().contains("Classroom mode needs a sandbox"), e.getMessage());
        assertTrue(e.getMessage().contains("bubblewrap (bwrap) is not installed"), "says what is missing: " + e.getMessage());
        assertFalse(Files.exists(data.resolve("glassbox.db")), "refused before touching the data folder");
    }

    @Test
    void classroomModeRefusesToStartWithoutResourceLimitsUnlessToldLoudly() throws Exception {
        Sandbox detected = Sandbox.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue(detected.available(), "needs bubblewrap: " + detected.problems());
        Sandbox withoutLimits = detected.withoutCgroups("cgroups are not writable");
        App.Settings settings = new App.Settings("127.0.0.1", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0))
                .withClassroom(Passphrase.of("a long enough passphrase"))
                .withSandbox(withoutLimits);
        App.StartupException e = assertThrows(App.StartupException.class, () -> App.start(settings));
        assertTrue(e.getMessage().contains("memory, process and CPU limits"), e.getMessage());
        assertTrue(e.getMessage().contains("--classroom-without-resource-limits"), "names the flag: " + e.getMessage());
        try (App app = App.start(settings.withoutResourceLimits(true))) {
            var health = Browserless.json(new Browserless(app).get("/api/health"));
            assertTrue(health.get("resourceLimits").asText().startsWith("none"), "health says no limits are in force: " + health);
            assertEquals("none", health.get("limits").get("cgroups").asText(), health.toString());
        }
        assertTrue(Main.parse(new String[] {"--classroom", "--classroom-without-resource-limits"},
                java.util.Map.of(Main.PASSPHRASE_ENV, "correct horse")).withoutResourceLimits());
    }

    @Test
    void theOwnersTokenIsKeptAcrossRestartsAndTheLearnerFromBeforeItBecomesTheOwner() throws Exception {
        Path folder = data.resolve("token");
        KernelSettings kernels = KernelSettings.defaults(folder.resolve("scratch")).withPoolSize(0);
        String before;
        String csrf;
        try (App untokened = App.start(new App.Settings("127.0.0.1", 0, folder, null, kernels).withoutToken(true))) {
            assertTrue(untokened.ownerToken().isEmpty());
            assertEquals("http://localhost:" + untokened.port() + "/", untokened.startUrl());
            Browserless anyone = new Browserless(untokened.port()).login();       // --no-token: no link needed
            assertEquals(200, anyone.call("PUT", "/api/lessons/vectors-in-the-notebook/cells/dot-scalar", java.util.Map.of("code", "// kept")).statusCode());
            csrf = anyone.csrf;
        }
        try (App first = App.start(new App.Settings("127.0.0.1", 0, folder, null, kernels))) {
            before = first.ownerToken().orElseThrow();
            assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                    java.nio.file.Files.getPosixFilePermissions(folder.resolve("owner-token")), "only its owner can read the token");
            Browserless owner = new Browserless(first).login();
            assertEquals(csrf, owner.csrf, "the learner from before the token is the owner");
            assertEquals("// kept", Browserless.json(owner.get("/api/lessons/vectors-in-the-notebook/state")).at("/cells/dot-scalar/code").asText());
        }
        try (App again = App.start(new App.Settings("127.0.0.1", 0, folder, null, kernels))) {
            assertEquals(before, again.ownerToken().orElseThrow(), "a restart keeps the token, so the link and cookies stay valid");
        }
        assertTrue(Main.parse(new String[] {"--no-token"}, java.util.Map.of()).withoutToken());
        Main.UsageException classroom = assertThrows(Main.UsageException.class,
                () -> Main.parse(new String[] {"--classroom", "--no-token"}, java.util.Map.of(Main.PASSPHRASE_ENV, "correct horse")));
        assertTrue(classroom.getMessage().contains("single-user"), classroom.getMessage());
    }

    @Test
    void singleUserModeRefusesTheNetwork() {
        App.Settings settings = new App.Settings("0.0.0.0", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0));
        App.StartupException e = assertThrows(App.StartupException.class, () -> App.start(settings));
        assertTrue(e.getMessage().contains("--classroom"), e.getMessage());
    }

    @Test
    void thePassphraseComesFromTheEnvironmentOrAFileNeverTheCommandLine() throws Exception {
        Main.UsageException missing = assertThrows(Main.UsageException.class, () -> Main.parse(new String[] {"--classroom"}, Map.of()));
        assertTrue(missing.getMessage().contains("needs a teacher passphrase") && missing.getMessage().contains(Main.PASSPHRASE_ENV), missing.getMessage());

        Main.UsageException shortOne = assertThrows(Main.UsageException.class,
                () -> Main.parse(new String[] {"--classroom"}, Map.of(Main.PASSPHRASE_ENV, "1234567")));
        assertTrue(shortOne.getMessage().contains("has 7 characters; it needs at least 8"), shortOne.getMessage());
        assertFalse(shortOne.getMessage().contains("1234567"), "the message never repeats the passphrase");

        Main.UsageException onCommandLine = assertThrows(Main.UsageException.class,
                () -> Main.parse(new String[] {"--classroom", "--passphrase", "hunter2hunter2"}, Map.of()));
        assertTrue(onCommandLine.getMessage().contains("never given on the command line"), onCommandLine.getMessage());

        Main.Options fromEnv = Main.parse(new String[] {"--classroom", "--host", "0.0.0.0"}, Map.of(Main.PASSPHRASE_ENV, "correct horse"));
        assertTrue(fromEnv.classroom() && fromEnv.passphrase().matches("correct horse") && !fromEnv.passphrase().matches("correct hors"));
        assertEquals("Passphrase[hidden]", fromEnv.passphrase().toString());

        Path file = data.resolve("passphrase");
        Files.writeString(file, "from the file\n", StandardCharsets.UTF_8);
        Main.Options fromFile = Main.parse(new String[] {"--classroom", "--passphrase-file", file.toString()}, Map.of(Main.PASSPHRASE_ENV, "from env var"));
        assertTrue(fromFile.passphrase().matches("from the file"), "the file wins over the environment");

        assertNull(Main.parse(new String[] {}, Map.of(Main.PASSPHRASE_ENV, "set but unused")).passphrase());
    }

    @Test
    void theKernelsMemoryBudgetIsASize() throws Exception {
        assertEquals(12L << 30, Main.parse(new String[] {"--kernel-memory", "12G"}, Map.of()).kernelMemory());
        assertEquals(8000L << 20, Main.parse(new String[] {"--kernel-memory", "8000m"}, Map.of()).kernelMemory());
        assertEquals(2L << 30, Main.parse(new String[] {"--kernel-memory", "2GiB"}, Map.of()).kernelMemory());
        assertNull(Main.parse(new String[] {}, Map.of()).kernelMemory(), "none given: from the machine");
        for (String bad : List.of("512M", "12", "lots", "-3G")) {
            Main.UsageException e = assertThrows(Main.UsageException.class, () -> Main.parse(new String[] {"--kernel-memory", bad}, Map.of()));
            assertTrue(e.getMessage().contains("at least 1G") && e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void theServerItselfExitsWithAClearMessage() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--classroom", "--port", "0", "--data", data.toString()));
        builder.environment().remove(Main.PASSPHRASE_ENV);
        builder.redirectErrorStream(true);
        Process server = builder.start();
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server should refuse and exit, not start");
        String output = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, server.exitValue(), output);
        assertTrue(output.contains("glassbox: classroom mode needs a teacher passphrase"), output);
    }
}
