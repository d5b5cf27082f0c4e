package dev.glassbox.notebook.host.containment;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP and a UDP port the test opens on the host's loopback, standing in for the server's own port:
 * it counts every connection or datagram that reaches it, so a test can assert that none ever did.
 */
final class HostPorts implements AutoCloseable {
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final AtomicInteger contacts = new AtomicInteger();

    HostPorts() throws IOException {
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("host-tcp").start(() -> {
            while (!tcp.isClosed()) {
                try (Socket s = tcp.accept()) {
                    contacts.incrementAndGet();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        Thread.ofPlatform().daemon().name("host-udp").start(() -> {
            byte[] buffer = new byte[2048];
            while (!udp.isClosed()) {
                try {
                    udp.receive(new DatagramPacket(buffer, buffer.length));
                    contacts.incrementAndGet();
                } catch (SocketException e) {
                    return;
                } catch (IOException e) {
                    // keep listening
                }
            }
        });
    }

    int tcpPort() {
        return tcp.getLocalPort();
    }

    int udpPort() {
        return udp.getLocalPort();
    }

    /** Connections accepted and datagrams received so far. */
    int contacts() {
        return contacts.get();
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
    }
}
