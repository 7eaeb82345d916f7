package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Origins;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the events of each batch into the change archive, in the batch's transaction, by one COPY
 * into {@code event_archive}: Maxwell's envelope and images found in each raw record by a scan of
 * its top level ({@link RecordScan}) and copied as they are, the images as JSON text (the server
 * only checks them), the event time from the batch's origins; the day partitions the events
 * need (and today's and tomorrow's) created first, under a transaction-level advisory lock so that
 * instances sharing the control schema do not race; partitions older than the retention dropped
 * once a day; and the coverage of every stream of the batch moved on.
 *
 * <p>Coverage: the archive of a (pipeline, stream) holds every event applied after
 * {@code since_offset} (all of them when it is null) up to {@code last_offset}. A batch whose
 * stream's checkpoint (before it) is the coverage's last offset extends it; otherwise batches were
 * applied without the archive (coverage starts again after the checkpoint), or the stream was
 * rewound (its archived events after the checkpoint are deleted, since they apply again).
 *
 * <p>Invariants: owned by one session's parts, called on the applier thread inside the batch's
 * transaction; what it learns of the database (partitions, coverage) is kept only once the
 * transaction committed ({@link #committed}), forgotten on rollback, and read again after a lost
 * session ({@link #reset}).
 */
final class ArchiveWriter {

    private static final Logger log = LoggerFactory.getLogger(ArchiveWriter.class);
    private static final long DAY_MS = 86_400_000L;

    /** A stream's coverage: the archive holds its events after {@code since} (all when null) up to {@code last}. */
    private record Coverage(Long since, long last) {}

    private final Dialect dialect;
    private final ArchiveSql sql;
    private final String schema;
    private final Duration retention;
    private final CopyBuffer buf = new CopyBuffer();
    private String compression;
    private final TreeSet<LocalDate> days = new TreeSet<>();
    private final Set<LocalDate> daysInTx = new HashSet<>();
    private final Set<LocalDate> droppedInTx = new HashSet<>();
    private final Map<String, Coverage> coverage = new HashMap<>();
    private final Map<String, Coverage> coverageInTx = new HashMap<>();
    private boolean loaded;
    private final RecordScan scan = new RecordScan();
    private final TimeText times = new TimeText();
    private long retainedOnDay = Long.MIN_VALUE;
    private long retainedInTx = Long.MIN_VALUE;
    long archived; // events archived, over every session

    ArchiveWriter(Dialect dialect, String schema, Duration retention) {
        this.dialect = dialect;
        this.sql = new ArchiveSql(dialect, schema);
        this.schema = schema;
        this.retention = retention;
    }

    /**
     * Creates the archive and its coverage table when missing (in a transaction of their own), and
     * reads its partitions and the pipeline's coverage; in the checkpoints' transaction.
     */
    void load(Connection c, Catalog catalog, String pipeline) throws SQLException {
        if (dialect.isGreenplum() && compression == null) {
            try (PreparedStatement ps = c.prepareStatement(ArchiveSql.hasCompression())) {
                ps.setString(1, "zstd");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    compression = rs.getLong(1) > 0 ? "zstd" : "zlib";
                }
            }
        }
        for (int attempt = 0; ; attempt++) {
            boolean archive = catalog.table(c, schema, ArchiveSql.TABLE) != null;
            boolean cover = catalog.table(c, schema, ArchiveSql.COVERAGE) != null;
            if (archive && cover) {
                break;
            }
            try (Statement st = c.createStatement()) {
                if (!archive) {
                    st.execute(sql.createArchive(compression, today()));
                }
                if (!cover) {
                    st.execute(sql.createCoverage());
                }
                c.commit();
                log.info("created the change archive {}", sql.table());
                break;
            } catch (SQLException e) {
                c.rollback();
                catalog.clear();
                if (attempt > 0 || !(Checkpoints.isState(e, "23505") || Checkpoints.isState(e, "42P07"))) {
                    throw e;
                }
            }
        }
        days.clear();
        days.addAll(readPartitions(c));
        coverage.clear();
        readCoverage(c, pipeline, coverage);
        loaded = true;
    }

    private void readCoverage(Connection c, String pipeline, Map<String, Coverage> into) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.selectCoverage())) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long since = rs.getLong(2);
                    into.put(rs.getString(1), new Coverage(rs.wasNull() ? null : since, rs.getLong(3)));
                }
            }
        }
    }

    /**
     * Archives the events of a batch in the open transaction.
     *
     * @param skip the batch-local sequence numbers not to archive: dead letters, events of tables not replicated
     * @param checkpoints the checkpoints before this batch (their fence)
     */
    void write(Connection c, String pipeline, NetBatch batch, BitSet skip, Checkpoints checkpoints, long now) throws SQLException {
        if (!loaded) {
            throw new IllegalStateException("the archive is written before its tables were read");
        }
        Origins o = batch.origins();
        TreeSet<LocalDate> needed = new TreeSet<>();
        LocalDate today = today();
        needed.add(today);
        needed.add(today.plusDays(1));
        Map<String, Long> firstTime = new HashMap<>();
        long lastDay = Long.MIN_VALUE;
        int n = 0;
        for (int seq = 0; seq < o.size(); seq++) {
            if (skip.get(seq) || o.rawBuffer(seq) == null) {
                continue;
            }
            n++;
            long day = Math.floorDiv(o.time(seq), DAY_MS);
            if (day != lastDay) {
                needed.add(LocalDate.ofEpochDay(day));
                lastDay = day;
            }
            firstTime.putIfAbsent(o.stream(seq), o.time(seq));
        }
        retain(c, pipeline, now);
        partitions(c, needed);
        if (n > 0) {
            stage(c, pipeline, o, skip);
        }
        cover(c, pipeline, batch, checkpoints, firstTime, now);
        archived += n;
    }

    /** The transaction committed: what it created and moved is known now. */
    void committed() {
        days.addAll(daysInTx);
        days.removeAll(droppedInTx);
        coverage.putAll(coverageInTx);
        if (retainedInTx != Long.MIN_VALUE) {
            retainedOnDay = retainedInTx;
        }
        rolledBack();
    }

    /** The transaction rolled back: forget what it did. */
    void rolledBack() {
        daysInTx.clear();
        droppedInTx.clear();
        coverageInTx.clear();
        retainedInTx = Long.MIN_VALUE;
    }

    /** The session is gone; the tables are read again with the checkpoints. */
    void reset() {
        rolledBack();
        loaded = false;
    }

    private void stage(Connection c, String pipeline, Origins o, BitSet skip) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.copyArchive());
        try {
            buf.start(in::writeToCopy);
            for (int seq = 0; seq < o.size(); seq++) {
                byte[] raw = o.rawBuffer(seq);
                if (skip.get(seq) || raw == null) {
                    continue;
                }
                scan.scan(raw, o.rawStart(seq), o.rawLength(seq));
                buf.text(pipeline, CopyBuffer.Nul.STRIP);
                buf.tab();
                buf.text(o.stream(seq), CopyBuffer.Nul.STRIP);
                buf.tab();
                buf.ascii(Long.toString(o.offset(seq)));
                buf.tab();
                buf.ascii(times.format(o.time(seq)));
                buf.tab();
                scalar(raw, RecordScan.SERVER_ID);
                int p0 = scan.start[RecordScan.POSITION];
                int colon = -1;
                if (scan.has(raw, RecordScan.POSITION) && !scan.escaped[RecordScan.POSITION]) {
                    for (int i = scan.end[RecordScan.POSITION] - 2; i > p0; i--) {
                        if (raw[i] == ':') {
                            colon = i;
                            break;
                        }
                    }
                }
                if (colon > 0) {
                    buf.utf8(raw, p0 + 1, colon);
                    buf.tab();
                    buf.utf8(raw, colon + 1, scan.end[RecordScan.POSITION] - 1);
                    buf.tab();
                } else {
                    buf.nullValue();
                    buf.tab();
                    buf.nullValue();
                    buf.tab();
                }
                scalar(raw, RecordScan.XOFFSET);
                string(raw, RecordScan.GTID);
                scalar(raw, RecordScan.XID);
                buf.ascii(scan.has(raw, RecordScan.COMMIT) && raw[scan.start[RecordScan.COMMIT]] == 't' ? "t" : "f");
                buf.tab();
                string(raw, RecordScan.DATABASE);
                string(raw, RecordScan.TABLE);
                if (scan.has(raw, RecordScan.TYPE)) {
                    string(raw, RecordScan.TYPE);
                } else {
                    buf.ascii("?\t");
                }
                scalar(raw, RecordScan.PRIMARY_KEY_COLUMNS);
                scalar(raw, RecordScan.DATA);
                scalar(raw, RecordScan.OLD);
                string(raw, RecordScan.SQL);
                if (scan.has(raw, RecordScan.DEF)) {
                    buf.utf8(raw, scan.start[RecordScan.DEF], scan.end[RecordScan.DEF]);
                } else {
                    buf.nullValue();
                }
                buf.endRow();
            }
            buf.flush();
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** A number, or a JSON text, as it is, then a tab. */
    private void scalar(byte[] raw, int member) {
        if (scan.has(raw, member)) {
            buf.utf8(raw, scan.start[member], scan.end[member]);
        } else {
            buf.nullValue();
        }
        buf.tab();
    }

    /** A JSON string's content, unescaped, then a tab. */
    private void string(byte[] raw, int member) {
        if (!scan.has(raw, member)) {
            buf.nullValue();
        } else if (!scan.escaped[member]) {
            buf.utf8(raw, scan.start[member] + 1, scan.end[member] - 1);
        } else {
            buf.text(JsonMembers.text(new String(raw, scan.start[member], scan.end[member] - scan.start[member],
                    java.nio.charset.StandardCharsets.UTF_8)), CopyBuffer.Nul.STRIP);
        }
        buf.tab();
    }

    /** Creates the partitions of these days that do not exist, under the archive's advisory lock. */
    private void partitions(Connection c, TreeSet<LocalDate> needed) throws SQLException {
        needed.removeAll(days);
        needed.removeAll(daysInTx);
        if (needed.isEmpty()) {
            return;
        }
        lock(c);
        Set<LocalDate> existing = readPartitions(c);
        try (Statement st = c.createStatement()) {
            for (LocalDate d : needed) {
                if (!existing.contains(d)) {
                    st.execute(sql.addPartition(d, compression));
                }
                daysInTx.add(d);
            }
        }
    }

    /** Once a day: drops the partitions that ended before now minus the retention, and trims the coverage to match. */
    private void retain(Connection c, String pipeline, long now) throws SQLException {
        long day = Math.floorDiv(now, DAY_MS);
        if (retention == null || day == retainedOnDay) {
            return;
        }
        long cutMs = now - retention.toMillis();
        LocalDate firstKept = LocalDate.ofEpochDay(Math.floorDiv(cutMs, DAY_MS));
        lock(c);
        Set<LocalDate> old = new TreeSet<>();
        for (LocalDate d : readPartitions(c)) {
            if (d.isBefore(firstKept)) {
                old.add(d);
            }
        }
        if (!old.isEmpty()) {
            Timestamp cut = new Timestamp(firstKept.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
            // the archive keeps each stream's events after the last one dropped
            try (PreparedStatement ps = c.prepareStatement(sql.trimCoverage())) {
                ps.setTimestamp(1, cut);
                ps.setTimestamp(2, cut);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                for (LocalDate d : old) {
                    st.execute(sql.dropPartition(d));
                }
            }
            droppedInTx.addAll(old);
            readCoverage(c, pipeline, coverageInTx);
            log.info("dropped {} partitions of the change archive before {} (retention {})", old.size(), firstKept, retention);
        }
        retainedInTx = day;
    }

    /** Moves each stream's coverage to the batch's last offset, or starts it again. */
    private void cover(Connection c, String pipeline, NetBatch batch, Checkpoints checkpoints, Map<String, Long> firstTime, long now)
            throws SQLException {
        Timestamp at = new Timestamp(now);
        for (Map.Entry<String, Long> e : batch.lastOffsets().entrySet()) {
            String stream = e.getKey();
            long last = e.getValue();
            Long before = checkpoints.offsetOf(stream);
            Coverage was = coverageInTx.containsKey(stream) ? coverageInTx.get(stream) : coverage.get(stream);
            Long since;
            if (was != null && before != null && was.last() == before) {
                since = was.since();
                try (PreparedStatement ps = c.prepareStatement(sql.extendCoverage())) {
                    ps.setLong(1, last);
                    ps.setTimestamp(2, at);
                    ps.setString(3, pipeline);
                    ps.setString(4, stream);
                    ps.executeUpdate();
                }
            } else {
                if (was != null && (before == null || before < was.last())) {
                    // rewound (a checkpoint reset): what applies again leaves the archive first
                    try (PreparedStatement ps = c.prepareStatement(sql.deleteArchivedAfter())) {
                        ps.setString(1, pipeline);
                        ps.setString(2, stream);
                        ps.setLong(3, before == null ? Long.MIN_VALUE : before);
                        ps.executeUpdate();
                    }
                    // the events kept stay covered; those after the checkpoint are archived again as they apply
                    since = before == null ? null : was.since() == null || was.since() <= before ? was.since() : before;
                } else {
                    // a new stream (everything archived), or batches applied without the archive since its coverage
                    since = before;
                    if (was != null) {
                        log.warn("stream {} of pipeline {} was applied without the archive from offset {} to {}: its archive starts again",
                                stream, pipeline, was.last(), before);
                    }
                }
                try (PreparedStatement del = c.prepareStatement(sql.deleteCoverage()); PreparedStatement ins = c.prepareStatement(sql.insertCoverage())) {
                    del.setString(1, pipeline);
                    del.setString(2, stream);
                    del.executeUpdate();
                    ins.setString(1, pipeline);
                    ins.setString(2, stream);
                    if (since == null) {
                        ins.setNull(3, java.sql.Types.BIGINT);
                    } else {
                        ins.setLong(3, since);
                    }
                    ins.setTimestamp(4, new Timestamp(firstTime.getOrDefault(stream, now)));
                    ins.setLong(5, last);
                    ins.setTimestamp(6, at);
                    ins.executeUpdate();
                }
            }
            coverageInTx.put(stream, new Coverage(since, last));
        }
    }

    private void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ArchiveSql.lock())) {
            ps.setLong(1, ("greenwell archive " + schema).hashCode() * 0x9E3779B97F4A7C15L);
            ps.executeQuery().close();
        }
    }

    private Set<LocalDate> readPartitions(Connection c) throws SQLException {
        Set<LocalDate> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql.selectPartitions())) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LocalDate d = sql.dayOf(rs.getString(1));
                    if (d != null) {
                        out.add(d);
                    }
                }
            }
        }
        return out;
    }

    /** Event times as COPY reads a {@code timestamp with time zone}, in UTC, with the day's text kept. */
    static final class TimeText {
        private long day = Long.MIN_VALUE;
        private String dayText;
        private final StringBuilder sb = new StringBuilder(32);

        String format(long millis) {
            long d = Math.floorDiv(millis, DAY_MS);
            if (d != day) {
                day = d;
                dayText = LocalDate.ofEpochDay(d).toString();
            }
            int ms = (int) Math.floorMod(millis, DAY_MS);
            sb.setLength(0);
            sb.append(dayText).append(' ');
            two(ms / 3_600_000);
            sb.append(':');
            two(ms / 60_000 % 60);
            sb.append(':');
            two(ms / 1000 % 60);
            int frac = ms % 1000;
            sb.append('.').append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10)).append((char) ('0' + frac % 10));
            return sb.append("+00").toString();
        }

        private void two(int v) {
            sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
        }
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
