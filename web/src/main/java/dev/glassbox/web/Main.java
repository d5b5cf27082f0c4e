package dev.glassbox.web;

import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Starts Glassbox: {@code java -jar web/target/glassbox.jar [--port N] [--data DIR] [--lessons DIR]}.
 */
public final class Main {
    private static final String USAGE = """
            Usage: java -jar web/target/glassbox.jar [options]
              --port N        port to listen on (default 7070)
              --data DIR      where Glassbox keeps learners' work (default ~/.glassbox)
              --lessons DIR   serve the lesson files in DIR instead of the bundled ones
              --host ADDRESS  interface to listen on (default 127.0.0.1; only loopback without a sandbox)
            """;

    private Main() {}

    public static void main(String[] args) throws Exception {
        int port = 7070;
        Path data = Path.of(System.getProperty("user.home"), ".glassbox");
        Path lessons = null;
        String host = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print(USAGE);
                return;
            }
            if (i + 1 >= args.length) fail("option " + arg + " needs a value");
            String value = args[++i];
            switch (arg) {
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        fail("--port expects a number from 0 to 65535, got \"" + value + "\"");
                    }
                    if (port < 0 || port > 65535) fail("--port expects a number from 0 to 65535, got " + port);
                }
                case "--data" -> data = Path.of(value);
                case "--lessons" -> lessons = Path.of(value);
                case "--host" -> host = value;
                default -> fail("unknown option " + arg);
            }
        }
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            fail("--host " + host + " would let other computers run code on this one, and kernels have no sandbox yet: "
                    + "Glassbox only listens on loopback (127.0.0.1) in single-user mode");
        }
        App app = App.start(new App.Settings(host, port, data.toAbsolutePath(), lessons, null));
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "glassbox-shutdown"));
        System.out.println("Glassbox is running at http://localhost:" + app.port() + "/  (data in " + data + ")");
        System.out.println("Single-user mode: cells run without a sandbox, so Glassbox only listens on this computer.");
    }

    private static void fail(String message) {
        System.err.println("glassbox: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
