package io.greenwell.cdc.greenplum;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback in front of a real database server, which a test can cut: while it is
 * down, its connections are closed and new ones are closed as soon as they arrive, as when the
 * server or the network between is gone; once up again it relays as before. Public for the tests
 * of other modules (a RabbitMQ broker's connection is cut the same way).
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    private TcpProxy(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** @return a relay to any TCP server */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(host, port);
    }

    /** @return the relay's port on loopback */
    public int port() {
        return server.getLocalPort();
    }

    /** @return a relay to the server of a {@code jdbc:postgresql://host:port/...} URL */
    static TcpProxy to(String jdbcUrl) throws IOException {
        URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
        return new TcpProxy(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort());
    }

    /** @return the URL with the relay's address in place of the server's */
    String url(String jdbcUrl) {
        URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
        String authority = u.getRawAuthority();
        return jdbcUrl.replaceFirst(java.util.regex.Pattern.quote(authority), "127.0.0.1:" + server.getLocalPort());
    }

    /** Closes every relayed connection, and each new one as it arrives, until {@link #up}. */
    public void down() {
        down = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    boolean isDown() {
        return down;
    }

    /** Relays new connections again. */
    public void up() {
        down = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(host, port);
                open.add(client);
                open.add(upstream);
                if (down) {
                    // cut while this one was being connected: down() may have missed it
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed, or a connection that failed: the next one is accepted
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[1 << 16];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        down();
    }
}
