package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One applier per (pipeline, stream): before a batch writes a stream's checkpoint, the target's
 * session holds a session-level advisory lock whose key is derived from the control schema, the
 * pipeline and the stream ({@link #key}). Other streams of the same pipeline have other keys, so
 * instances that share a pipeline's streams (Kafka partitions) run side by side; a second instance
 * on the same stream is refused.
 *
 * <p>A lock is taken once per session and kept; it goes when the pipeline reads its checkpoints
 * again ({@link #releaseAll}, at every assignment change, so that a stream that moved away is
 * free for its new owner), when the session ends, or when the connection is lost. The locks held
 * are tracked per connection: on a new connection none are, and they are taken again. A lock
 * held by another session is tried again with a doubling pause up to the configured wait (an
 * owner that has not yet noticed its streams moved, or a session the server has not yet seen
 * die), then refused with an error naming the holder.
 *
 * <p>Advisory locks are taken on Greenplum's coordinator (the statements have no FROM).
 */
final class StreamLocks {

    private static final long FIRST_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 2_000;

    private final Sql sql;
    private final String schema;
    private final Duration wait;
    private final TargetStats stats;
    /** The locks {@link #on} holds: stream to key, for the pipeline of the last checkpoint read. */
    private final Map<String, Long> held = new HashMap<>();
    private Connection on;

    StreamLocks(Sql sql, String schema, Duration wait, TargetStats stats) {
        this.sql = sql;
        this.schema = schema;
        this.wait = wait;
        this.stats = stats;
    }

    /**
     * Takes the locks of these streams that this session does not hold yet, each in a
     * transaction of its own (nothing is left open while waiting), in stream order.
     *
     * @throws ApplyException (SQLSTATE 55P03, not transient) when another session holds one
     *     for longer than the wait; the locks taken before stay held
     */
    void acquire(Connection c, String pipeline, Collection<String> streams) throws SQLException {
        if (c != on) {
            held.clear();
            on = c;
        }
        if (held.keySet().containsAll(streams)) {
            return;
        }
        // in order, so that two instances that want the same streams do not each hold one of them
        for (String stream : new TreeSet<>(streams)) {
            if (held.containsKey(stream)) {
                continue;
            }
            long key = key(schema, pipeline, stream);
            long deadline = System.nanoTime() + wait.toNanos();
            long pause = FIRST_PAUSE_MILLIS;
            boolean waited = false;
            while (!tryLock(c, key)) {
                if (!waited) {
                    stats.lockWaits++;
                    waited = true;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw refused(c, pipeline, stream, key);
                }
                try {
                    Thread.sleep(Math.min(pause, left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApplyException("interrupted while waiting for the lock of pipeline '" + pipeline + "', stream '" + stream
                            + "'", null, null, null, null, e);
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
            held.put(stream, key);
        }
    }

    /**
     * Releases every lock this session holds, so that streams that moved away are free. All of
     * the session's advisory locks go, also those taken through an earlier connection object of
     * the same pooled session.
     */
    void releaseAll(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.releaseStreamLocks()); ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
        c.commit();
        held.clear();
        on = c;
    }

    /** @return the streams whose locks this session holds; for tests */
    Set<String> held() {
        return Set.copyOf(held.keySet());
    }

    private boolean tryLock(Connection c, long key) throws SQLException {
        boolean got;
        try (PreparedStatement ps = c.prepareStatement(sql.tryStreamLock())) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                got = rs.getBoolean(1);
            }
        }
        c.commit();
        return got;
    }

    private ApplyException refused(Connection c, String pipeline, String stream, long key) throws SQLException {
        String holder;
        try (PreparedStatement ps = c.prepareStatement(sql.streamLockHolder())) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                holder = rs.next() ? "PostgreSQL backend pid " + rs.getInt(1) + " (application_name '" + rs.getString(2) + "', client "
                        + (rs.getString(3) == null ? "local or not visible" : rs.getString(3)) + ")" : "a session that has just released it";
            }
            c.commit();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw e;
            }
            c.rollback();
            holder = "another session (its details cannot be read: " + e.getMessage() + ")";
        }
        return new ApplyException("pipeline '" + pipeline + "' is already applying stream '" + stream + "' in another session: its lock"
                + " (advisory lock " + key + ") is held by " + holder + ", still after waiting " + wait.toMillis() + " ms. Two instances"
                + " of one pipeline must not apply the same stream: stop the other one, or give this one another pipeline name",
                null, null, "55P03", null, null);
    }

    /**
     * The advisory-lock key of a stream of a pipeline: the first 8 bytes (big-endian) of the
     * SHA-256 of {@code greenwell-stream-lock}, the control schema, the pipeline and the stream,
     * each followed by U+0000, in UTF-8. Stable across versions: every instance must compute the
     * same key.
     */
    static long key(String schema, String pipeline, String stream) {
        StringBuilder sb = new StringBuilder("greenwell-stream-lock\0");
        for (String part : List.of(schema, pipeline, stream)) {
            sb.append(part).append('\0');
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
