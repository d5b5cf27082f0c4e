package dev.glassbox.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.web.App;
import dev.glassbox.web.server.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Students who try to take the server from the class during a load run, each looping one attack of issue 14 until the
 * lesson ends (student i runs attack i mod 3):
 * <ul>
 * <li>hoarding: six cells of 9.5 s sent at once to one kernel, again as soon as they are answered;</li>
 * <li>flooding with a stalled reader: a streamed cell that writes without end straight to the kernel's protocol
 *     pipe, from a client that reads nothing (a small receive window) and hangs up after 10 s;</li>
 * <li>off-heap spikes: 1.2 GB taken through an FFM arena and given back, and every third time 2 GB, over the
 *     kernel's own limit.</li>
 * </ul>
 * What they got back is tallied by attack and answer (status, or HTTP code), so a run shows the attacks did run.
 */
final class HostileStudents {
    static final String HOARD = "Thread.sleep(9_500); 1";
    static final String FLOOD = """
            var raw = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
            for (long i = 0; ; i++) raw.println("flood " + i);
            """;

    static String spike(int megabytes) {
        return "try (var arena = java.lang.foreign.Arena.ofShared()) {\n"
                + "    var spike = arena.allocate(" + megabytes + "L << 20);\n"
                + "    for (long o = 0; o < spike.byteSize(); o += 4096) spike.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o, (byte) 1);\n"
                + "}\n1";
    }

    private final Map<String, AtomicLong> tally = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int port;
    private final List<ApiClient> clients = new ArrayList<>();
    private final List<String> kernels = new ArrayList<>();

    private HostileStudents(int port) {
        this.port = port;
    }

    /** {@code count} hostile students join the class {@code code} of {@code app}, each with a kernel, as the class arrives. */
    static HostileStudents join(App app, String code, int count) throws Exception {
        HostileStudents students = new HostileStudents(app.port());
        for (int i = 0; i < count; i++) {
            ApiClient client = ApiClient.student(app, code, "Hostile " + (i + 1));
            students.kernels.add(client.openKernel());
            students.clients.add(client);
        }
        return students;
    }

    /** Starts the attacks; they stop at {@code endNanos} (System.nanoTime()), each after its round. */
    void attackUntil(long endNanos) {
        for (int i = 0; i < clients.size(); i++) {
            ApiClient client = clients.get(i);
            String kernel = kernels.get(i);
            int attack = i % 3;
            threads.add(Thread.ofVirtual().name("hostile-" + i).start(() -> {
                while (System.nanoTime() < endNanos) {
                    try {
                        switch (attack) {
                            case 0 -> hoard(client, kernel);
                            case 1 -> flood(client, port, kernel);
                            default -> spike(client, kernel);
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
                        count(attack, m.substring(0, Math.min(60, m.length())));
                    }
                }
            }));
        }
    }

    private void hoard(ApiClient client, String kernel) throws Exception {
        List<CompletableFuture<String>> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    JsonNode r = client.execute(kernel, HOARD);
                    String status = r.path("status").asText();
                    return status.equals("rejected") ? "rejected " + r.path("outputs").path(0).path("ename").asText() : status;
                } catch (Exception e) {
                    return "exception";
                }
            }, r -> Thread.ofVirtual().start(r)));
        }
        for (var f : sent) count(0, f.get());
    }

    private void flood(ApiClient client, int port, String kernel) throws Exception {
        byte[] body = Json.write(Map.of("code", FLOOD)).getBytes(StandardCharsets.UTF_8);
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(2048);
            stalled.connect(new InetSocketAddress("127.0.0.1", port));
            String head = "POST /api/kernels/" + kernel + "/execute HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nX-CSRF-Token: " + client.csrf() + "\r\nCookie: " + client.cookieHeader()
                    + "\r\nAccept: application/x-ndjson\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            OutputStream out = stalled.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Thread.sleep(10_000);                       // reads nothing, then hangs up
        } catch (IOException e) {
            count(1, "socket " + e.getClass().getSimpleName());
            return;
        }
        count(1, "stalled 10 s");
    }

    private int spikes;

    private void spike(ApiClient client, String kernel) throws Exception {
        boolean over = ++spikes % 3 == 0;
        JsonNode r = client.execute(kernel, spike(over ? 2048 : 1200));
        count(2, (over ? "2 GB: " : "1.2 GB: ") + r.path("status").asText());
        Thread.sleep(1000);
    }

    private static final String[] ATTACKS = {"hoarding", "flooding", "off-heap"};

    private void count(int attack, String answer) {
        tally.computeIfAbsent(ATTACKS[attack] + " -> " + answer, k -> new AtomicLong()).incrementAndGet();
    }

    /** Waits for the students to stop (their last attack may run past the lesson's end) and returns what they got back. */
    Map<String, Long> finish() throws InterruptedException {
        for (int i = 0; i < threads.size(); i++) {
            // a hoarder's round lasts five cells of 9.5 s: it is interrupted, as its teacher would
            for (int tries = 0; tries < 30 && i % 3 == 0 && threads.get(i).isAlive(); tries++) {
                try {
                    clients.get(i).interrupt(kernels.get(i));
                } catch (Exception e) {
                    // a kernel between two JVMs: ask again
                }
                threads.get(i).join(1000);
            }
            threads.get(i).join(60_000);
        }
        Map<String, Long> counts = new TreeMap<>();
        tally.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }
}
