package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.Origins;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
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
 * {@code since_offset} up to {@code last_offset}. A batch whose
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
    /** The archive's partitions: day, and the partition's own table. */
    private final Map<LocalDate, String> days = new HashMap<>();
    private final Map<LocalDate, String> daysInTx = new HashMap<>();
    private final Set<LocalDate> droppedInTx = new HashSet<>();
    private final Map<String, Coverage> coverage = new HashMap<>();
    private final Map<String, Coverage> coverageInTx = new HashMap<>();
    private boolean loaded;
    private final RecordScan scan = new RecordScan();
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
        read(c, pipeline);
    }

    /** Reads the partitions and the pipeline's coverage as the database has them now. */
    private void read(Connection c, String pipeline) throws SQLException {
        days.clear();
        days.putAll(readPartitions(c));
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
            // a new session after a lost one: what the cache knew may have moved (a doubted commit
            // that did commit), so the database is read again, in this transaction
            read(c, pipeline);
        }
        Origins o = batch.origins();
        TreeSet<LocalDate> needed = new TreeSet<>();
        LocalDate today = today();
        needed.add(today);
        needed.add(today.plusDays(1));
        Map<String, Long> firstTime = new HashMap<>();
        Map<String, Long> firstOffset = new HashMap<>();
        long lastDay = Long.MIN_VALUE;
        long firstDay = Long.MIN_VALUE;
        boolean oneDay = true;
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
                if (firstDay == Long.MIN_VALUE) {
                    firstDay = day;
                } else if (day != firstDay) {
                    oneDay = false;
                }
            }
            firstTime.putIfAbsent(o.stream(seq), o.time(seq));
            firstOffset.putIfAbsent(o.stream(seq), o.offset(seq));
        }
        retain(c, pipeline, now, needed);
        partitions(c, needed);
        // the coverage first: a rewound stream's archived events after its checkpoint leave before this batch's arrive
        cover(c, pipeline, batch, checkpoints, firstTime, firstOffset, now);
        if (n > 0) {
            // the events of one day go straight into its partition: no routing per row, and on
            // Greenplum (without its global deadlock detector) no lock on every other partition
            LocalDate day = LocalDate.ofEpochDay(firstDay);
            String leaf = oneDay ? daysInTx.getOrDefault(day, days.get(day)) : null;
            stage(c, pipeline, o, skip, leaf == null ? sql.table() : Names.qualify(schema, leaf));
        }
        archived += n;
    }

    /** The transaction committed: what it created and moved is known now. */
    void committed() {
        days.putAll(daysInTx);
        days.keySet().removeAll(droppedInTx);
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

    private void stage(Connection c, String pipeline, Origins o, BitSet skip, String into) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.copyArchive(into));
        byte[] pipelineBytes = pipeline.getBytes(StandardCharsets.UTF_8);
        String stream = null;
        byte[] streamBytes = null;
        try {
            buf.start(in::writeToCopy);
            buf.binaryHeader();
            for (int seq = 0; seq < o.size(); seq++) {
                byte[] raw = o.rawBuffer(seq);
                if (skip.get(seq) || raw == null) {
                    continue;
                }
                if (!o.stream(seq).equals(stream)) {
                    stream = o.stream(seq);
                    streamBytes = stream.replace("\0", "").getBytes(StandardCharsets.UTF_8);
                }
                scan.scan(raw, o.rawStart(seq), o.rawLength(seq));
                buf.int16(19);
                field(pipelineBytes, 0, pipelineBytes.length);
                field(streamBytes, 0, streamBytes.length);
                buf.int32(8);
                buf.int64(o.offset(seq));
                buf.int32(8);
                buf.int64((o.time(seq) - PG_EPOCH_MS) * 1000);
                integer(raw, RecordScan.SERVER_ID, 8);
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
                long pos = colon > 0 ? digits(raw, colon + 1, scan.end[RecordScan.POSITION] - 1) : -1;
                if (pos >= 0) {
                    field(raw, p0 + 1, colon);
                    buf.int32(8);
                    buf.int64(pos);
                } else {
                    buf.int32(-1);
                    buf.int32(-1);
                }
                integer(raw, RecordScan.XOFFSET, 4);
                string(raw, RecordScan.GTID);
                xid(raw);
                buf.int32(1);
                buf.bytes(scan.has(raw, RecordScan.COMMIT) && raw[scan.start[RecordScan.COMMIT]] == 't' ? TRUE : FALSE, 0, 1);
                string(raw, RecordScan.DATABASE);
                string(raw, RecordScan.TABLE);
                if (scan.has(raw, RecordScan.TYPE)) {
                    string(raw, RecordScan.TYPE);
                } else {
                    field(UNKNOWN, 0, 1);
                }
                json(raw, RecordScan.PRIMARY_KEY_COLUMNS);
                json(raw, RecordScan.DATA);
                json(raw, RecordScan.OLD);
                string(raw, RecordScan.SQL);
                json(raw, RecordScan.DEF);
                buf.endBinaryRow();
            }
            buf.int16(-1);
            buf.flush();
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static final long PG_EPOCH_MS = 946_684_800_000L;
    private static final byte[] TRUE = {1};
    private static final byte[] FALSE = {0};
    private static final byte[] UNKNOWN = {'?'};

    private void field(byte[] b, int from, int to) {
        buf.int32(to - from);
        buf.bytes(b, from, to);
    }

    /** A JSON text as it is, or NULL. */
    private void json(byte[] raw, int member) {
        if (scan.has(raw, member)) {
            field(raw, scan.start[member], scan.end[member]);
        } else {
            buf.int32(-1);
        }
    }

    /** A JSON string's content, unescaped (without NUL, which text cannot hold), or NULL. */
    private void string(byte[] raw, int member) {
        if (!scan.has(raw, member) || raw[scan.start[member]] != '"') {
            buf.int32(-1);
        } else if (!scan.escaped[member]) {
            field(raw, scan.start[member] + 1, scan.end[member] - 1);
        } else {
            byte[] text = JsonMembers.text(new String(raw, scan.start[member], scan.end[member] - scan.start[member], StandardCharsets.UTF_8))
                    .replace("\0", "").getBytes(StandardCharsets.UTF_8);
            field(text, 0, text.length);
        }
    }

    /** A JSON integer as a {@code bigint} (8 bytes) or an {@code integer} (4), or NULL when it is absent or not one. */
    private void integer(byte[] raw, int member, int size) {
        long v = scan.has(raw, member) ? digits(raw, scan.start[member], scan.end[member]) : -1;
        if (v < 0 || (size == 4 && v > Integer.MAX_VALUE)) {
            buf.int32(-1);
        } else if (size == 4) {
            buf.int32(4);
            buf.int32((int) v);
        } else {
            buf.int32(8);
            buf.int64(v);
        }
    }

    /** MySQL's xid (an unsigned 64-bit integer) as a {@code numeric}: base-10000 digits, most significant first. */
    private void xid(byte[] raw) {
        int from = scan.start[RecordScan.XID];
        int to = scan.end[RecordScan.XID];
        if (!scan.has(raw, RecordScan.XID) || to - from > 20 || digits(raw, from, Math.min(to, from + 1)) < 0) {
            buf.int32(-1);
            return;
        }
        for (int i = from; i < to; i++) {
            if (raw[i] < '0' || raw[i] > '9') {
                buf.int32(-1);
                return;
            }
        }
        int n = to - from;
        int groups = (n + 3) / 4;
        buf.int32(8 + 2 * groups);
        buf.int16(groups);
        buf.int16(groups - 1); // weight: the first group's power of 10000
        buf.int16(0); // positive
        buf.int16(0); // no fraction
        int i = from;
        int first = n - (groups - 1) * 4;
        for (int g = 0; g < groups; g++) {
            int len = g == 0 ? first : 4;
            int d = 0;
            for (int k = 0; k < len; k++) {
                d = d * 10 + (raw[i++] - '0');
            }
            buf.int16(d);
        }
    }

    /** @return the non-negative integer that digits spell, or -1 when they are not only digits (or too many) */
    private static long digits(byte[] b, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Creates the partitions of these days that do not exist, under the archive's advisory lock. */
    private void partitions(Connection c, TreeSet<LocalDate> needed) throws SQLException {
        TreeSet<LocalDate> missing = new TreeSet<>(needed);
        missing.removeAll(days.keySet());
        missing.removeAll(daysInTx.keySet());
        if (missing.isEmpty()) {
            return;
        }
        lock(c);
        Map<LocalDate, String> existing = readPartitions(c);
        boolean added = false;
        try (Statement st = c.createStatement()) {
            for (LocalDate d : missing) {
                if (!existing.containsKey(d)) {
                    st.execute(sql.addPartition(d, compression));
                    added = true;
                }
            }
        }
        // the partitions' own tables, as the database named them
        Map<LocalDate, String> now = added ? readPartitions(c) : existing;
        for (LocalDate d : missing) {
            daysInTx.put(d, now.get(d));
        }
    }

    /** Once a day: drops the partitions that ended before now minus the retention, and trims the coverage to match. */
    private void retain(Connection c, String pipeline, long now, Set<LocalDate> needed) throws SQLException {
        long day = Math.floorDiv(now, DAY_MS);
        if (retention == null || day == retainedOnDay) {
            return;
        }
        long cutMs = now - retention.toMillis();
        LocalDate firstKept = LocalDate.ofEpochDay(Math.floorDiv(cutMs, DAY_MS));
        lock(c);
        Set<LocalDate> old = new TreeSet<>();
        for (LocalDate d : readPartitions(c).keySet()) {
            // never a day this batch writes to (an old event archived late goes the next day)
            if (d.isBefore(firstKept) && !needed.contains(d)) {
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

    /**
     * Moves each stream's coverage to the batch's last offset, or starts it again. Coverage starts
     * after the stream's checkpoint, or just before the batch's first event of the stream when it
     * has none (a new stream, or one reset), never "from the start": what the target held before
     * is not the archive's to know.
     */
    private void cover(Connection c, String pipeline, NetBatch batch, Checkpoints checkpoints, Map<String, Long> firstTime,
            Map<String, Long> firstOffset, long now) throws SQLException {
        Timestamp at = new Timestamp(now);
        for (Map.Entry<String, Long> e : batch.lastOffsets().entrySet()) {
            String stream = e.getKey();
            long last = e.getValue();
            Long before = checkpoints.offsetOf(stream);
            // the archive holds this batch's events of the stream after this offset
            long from = before != null ? before : firstOffset.getOrDefault(stream, last + 1) - 1;
            Coverage was = coverageInTx.containsKey(stream) ? coverageInTx.get(stream) : coverage.get(stream);
            long since;
            if (was != null && before != null && was.last() == before) {
                since = was.since() == null ? from : was.since();
                try (PreparedStatement ps = c.prepareStatement(sql.extendCoverage())) {
                    ps.setLong(1, last);
                    ps.setTimestamp(2, at);
                    ps.setString(3, pipeline);
                    ps.setString(4, stream);
                    ps.executeUpdate();
                }
            } else {
                if (was != null && from < was.last()) {
                    // rewound (a checkpoint reset): what applies again leaves the archive first; the
                    // events before it stay, and stay covered
                    try (PreparedStatement ps = c.prepareStatement(sql.deleteArchivedAfter())) {
                        ps.setString(1, pipeline);
                        ps.setString(2, stream);
                        ps.setLong(3, from);
                        ps.executeUpdate();
                    }
                    since = was.since() != null && was.since() <= from ? was.since() : from;
                } else {
                    since = from;
                    if (was != null) {
                        log.warn("stream {} of pipeline {} was applied without the archive from offset {} to {}: its archive starts again",
                                stream, pipeline, was.last(), from);
                    }
                }
                try (PreparedStatement del = c.prepareStatement(sql.deleteCoverage()); PreparedStatement ins = c.prepareStatement(sql.insertCoverage())) {
                    del.setString(1, pipeline);
                    del.setString(2, stream);
                    del.executeUpdate();
                    ins.setString(1, pipeline);
                    ins.setString(2, stream);
                    ins.setLong(3, since);
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

    /** @return the archive's partitions: day, and the partition's own table */
    private Map<LocalDate, String> readPartitions(Connection c) throws SQLException {
        Map<LocalDate, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.selectPartitions())) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LocalDate d = sql.dayOf(rs.getString(1));
                    if (d != null) {
                        out.put(d, rs.getString(2));
                    }
                }
            }
        }
        return out;
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
