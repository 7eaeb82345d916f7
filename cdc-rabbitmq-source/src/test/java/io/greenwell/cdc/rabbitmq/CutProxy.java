package io.greenwell.cdc.rabbitmq;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a broker whose connections a test can cut at once, as a lost network
 * does; new connections go through again.
 */
public final class CutProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** @param brokerUri the broker's URI */
    public CutProxy(String brokerUri) throws IOException {
        URI u = URI.create(brokerUri);
        this.host = u.getHost();
        this.port = u.getPort() < 0 ? 5672 : u.getPort();
        this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "cut-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** @return the broker's URI with this proxy's address instead */
    public static String through(String brokerUri, CutProxy proxy) {
        URI u = URI.create(brokerUri);
        return u.getScheme() + "://" + u.getRawUserInfo() + "@127.0.0.1:" + proxy.server.getLocalPort() + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** Closes every connection open through the proxy. */
    public void cut() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closed already
            }
        }
        open.clear();
    }

    /** @return the connections open through the proxy now (two sockets each) */
    public int connections() {
        return open.size() / 2;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket();
                try {
                    broker.connect(new InetSocketAddress(host, port), 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(broker);
                pump(client, broker);
                pump(broker, client);
            } catch (IOException e) {
                // closed, or the broker is away: the client sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 << 10];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // cut
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }, "cut-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }
}
