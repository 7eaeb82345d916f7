package io.greenwell.cdc.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.network.ServerException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MySQL or MariaDB binlog read directly, as a {@link ChangeSource} of the records Maxwell would
 * write for it ({@code output_binlog_position}, {@code output_server_id},
 * {@code output_primary_key_columns} and, where the server has them, GTIDs on), so that the
 * Maxwell decoder, the compactor and the targets take them unchanged. One stream, {@value #STREAM}.
 *
 * <h2>What the server must have</h2>
 * {@code log_bin} on, {@code binlog_format=ROW} and {@code binlog_row_metadata=FULL} (MySQL
 * 8.0.1+, MariaDB 10.5+), checked when the source opens and refused with a message naming the
 * setting; a user with {@code REPLICATION SLAVE} and {@code REPLICATION CLIENT}; a
 * {@link Builder#serverId server id} no other replica of the server uses.
 * {@code binlog_row_image=FULL} gives full rows, {@code MINIMAL} the partial rows Maxwell gives
 * for it.
 *
 * <h2>Transactions and resuming</h2>
 * A transaction's rows are held until its XID (or its {@code COMMIT}, for tables without
 * transactions) and then handed over together, each with the transaction's {@code xid}, its
 * {@code xoffset} and, the last one, {@code commit}; a rolled-back transaction gives nothing. The
 * offset of a transaction's last row resumes after the transaction, that of its other rows at the
 * transaction's start ({@link BinlogPosition}), so a restart always begins at a transaction
 * boundary and reads the table maps again; rows read twice after a batch that split a large
 * transaction are dropped by the pipeline's watermark, which their positions and {@code xoffset}s
 * make exact. Without a checkpoint the source starts at the binlog's current end. A checkpoint
 * whose binlog file the server no longer has (purged) stops the source with a message saying to
 * take a new snapshot. A lost connection is opened again from the last transaction boundary,
 * dropping the open transaction's rows; so is a connection on which the server sends nothing,
 * not even its heartbeats, for three heartbeat intervals.
 *
 * <h2>DDL</h2>
 * {@code CREATE}, {@code ALTER}, {@code RENAME} and {@code DROP} of the chosen databases' tables
 * and of the databases themselves become the schema-change records Maxwell writes
 * ({@code table-create}, {@code table-alter} with {@code old} and {@code def}, ...), read from the
 * statement text by {@link DdlReader} and followed in a {@link SchemaState} that starts from
 * {@code information_schema} when the source starts. A statement it cannot read, one that changes
 * rows without row events ({@code TRUNCATE}, a dropped partition), or one about a table whose
 * definition at that point it cannot be sure of (see {@link SchemaState}) stops the source,
 * naming the statement and its position, unless {@link Builder#skipDdl} says that the target's
 * tables are changed by hand. Tables that exist when the source starts must exist in the target
 * before their first rows come; tables created later are created by the target from the records.
 *
 * <p>Single-threaded like every source: one thread of its own reads the binlog and queues whole
 * transactions, up to a bound, for {@link #poll}.
 */
public final class BinlogSource implements ChangeSource {

    /** The one stream's id. */
    public static final String STREAM = "binlog";

    private static final Logger log = LoggerFactory.getLogger(BinlogSource.class);
    private static final Set<String> SYSTEM_DATABASES = Set.of("mysql", "information_schema", "performance_schema", "sys");
    /**
     * A schema statement about a table or a database, and the first name it is about: group 1 the kind of a CREATE, ALTER or
     * DROP, 2 a RENAME, 3 a TRUNCATE, 4 or 5 the first name, 6 or 7 the second (a table's, after its database's).
     */
    private static final Pattern SCHEMA_STATEMENT = Pattern.compile(
            "(?is)^\\s*(?:(?:create|alter|drop)\\s+(?:or\\s+replace\\s+)?(?:online\\s+|offline\\s+|ignore\\s+)*(tables?|database|schema)"
                    + "|(rename)\\s+tables?|(truncate)(?:\\s+table)?)\\b\\s*(?:if\\s+(?:not\\s+)?exists\\s+)?"
                    + "(?:`([^`]+)`|(\\w+))(?:\\s*\\.\\s*(?:`([^`]+)`|(\\w+)))?");
    /** {@code DROP INDEX `PRIMARY` ON t}: the one index statement that changes what the target needs (the key). */
    private static final Pattern DROP_PRIMARY = Pattern.compile(
            "(?is)^\\s*drop\\s+index\\s+(?:(?:online|offline)\\s+)?(?:if\\s+exists\\s+)?(?:`primary`|primary)\\s+on\\b");
    private static final Pattern TEMPORARY = Pattern.compile("(?is)^\\s*(?:create|drop)\\s+(?:or\\s+replace\\s+)?temporary\\b");
    private static final Pattern ROW_STATEMENT = Pattern.compile("(?is)^\\s*(?:insert|update|delete|replace|load\\s+data)\\b");
    private static final Pattern XA = Pattern.compile("(?is)^\\s*xa\\b");
    private static final Pattern IN_TRANSACTION_NO_OP = Pattern.compile("(?is)^\\s*(?:savepoint|release\\s+savepoint|rollback\\s+(?:work\\s+)?to)\\b");
    private static final int POLL_RECORDS = 8192;
    private static final long MARK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final long serverId;
    private final Set<String> databases;
    private final boolean skipDdl;
    private final boolean snapshot;
    /** Whether the reader takes the initial snapshot before it reads the binlog. */
    private boolean snapshotting;
    private final long transactionMemoryBytes;
    private final Duration heartbeat;
    private final BlockingQueue<SourceRecord> ready;
    /** Where the schema is kept over time, or null to read it from the server at every start. */
    private final SchemaHistory history;

    private ServerFacts facts;
    private Thread reader;
    private volatile boolean closing;
    private volatile RuntimeException failure;
    private volatile BinaryLogClient client;
    private volatile long lastEventNanos;
    private final java.util.concurrent.atomic.AtomicLong reconnections = new java.util.concurrent.atomic.AtomicLong();
    /** Whether the reader is handing a transaction over (and may wait for room in the queue, reading nothing). */
    private volatile boolean handing;

    // the reader thread's state
    /** Where the next connection starts: after the last transaction handed over. */
    private BinlogPosition resume;
    private String file;
    private long fileNumber;
    private final Map<Long, TableColumns> tables = new HashMap<>();
    /** The chosen databases' schema as far as the binlog has been read (null with skipDdl). */
    private DdlReader ddl;
    private SchemaState schema;
    /** The offset from which a schema read at the start holds, to keep in the history once reached; -1 when kept. */
    private long snapshotAt = -1;
    private final RowJson json = new RowJson();
    private final PendingRows pending;
    private long transactionStart = -1;
    private boolean inTransaction;
    private String gtid;
    private long lastPutNanos = System.nanoTime();
    /** Events read on the current connection: a connection that ended without any did not work. */
    private long eventsThisConnection;
    private volatile Exception connectionFailure;

    private BinlogSource(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.serverId = b.serverId;
        this.databases = Set.copyOf(b.databases);
        this.skipDdl = b.skipDdl;
        this.snapshot = b.snapshot;
        this.transactionMemoryBytes = b.transactionMemoryBytes;
        this.heartbeat = b.heartbeat;
        this.ready = new ArrayBlockingQueue<>(b.queueRecords);
        this.pending = new PendingRows(transactionMemoryBytes);
        this.history = b.historyUrl == null || b.skipDdl ? null
                : new SchemaHistory(b.historyUrl, b.historyUser, b.historyPassword, "greenwell", host + ":" + port + "/" + serverId);
    }

    /**
     * The checkpoint offset that resumes at a binlog position: for a checkpoint written by hand, to
     * start a pipeline at a position the source did not reach itself (after a snapshot, say).
     *
     * @param file a binlog file name ({@code mysql-bin.000042})
     * @param position a position in it where an event (a transaction) starts
     * @return the offset, as the checkpoint stores it for stream {@value #STREAM}
     */
    public static long offsetOf(String file, long position) {
        return new BinlogPosition(BinlogPosition.fileNumber(file), position).commitOffset();
    }

    /** @return a builder; host, user and server id are needed */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(Listener listener) {
        facts = ServerFacts.read(host, port, user, password);
        log.info("binlog source: {}:{} ({}), binlog {} at {}, binlog_row_image={}", host, port, facts.version, facts.basename,
                facts.end.fileName(facts.basename) + ":" + facts.end.position(), facts.rowImage);
    }

    @Override
    public void seek(Map<String, Long> lastApplied) {
        if (reader != null) {
            return; // one stream, positioned once: the reader resumes at transaction boundaries by itself
        }
        Long last = lastApplied.get(STREAM);
        if (last != null && last < 0 && !snapshot) {
            throw new CdcException("the checkpoint of stream " + STREAM + " lies inside an initial snapshot that did not finish: run the"
                    + " source with snapshot (--snapshot) to take it again");
        }
        if (snapshot && (last == null || last < 0)) {
            snapshotting = true; // the reader takes it, then reads the binlog from the snapshot's position
            log.info("binlog source: taking {} snapshot of {}", last == null ? "the initial" : "again the unfinished",
                    databases.isEmpty() ? "every database" : databases);
            startReader();
            return;
        }
        BinlogPosition start = last == null ? facts.end : BinlogPosition.of(last);
        if (!skipDdl) {
            start = readSchema(last == null ? null : start);
        }
        if (!facts.files.contains(start.file())) {
            throw new CdcException("the checkpoint resumes in binlog file " + start.fileName(facts.basename) + ", which the server at "
                    + host + ":" + port + " no longer has (purged, or another server): the changes since are lost to this source;"
                    + " take a new snapshot of the tables and start the pipeline over (a new pipeline name, or its checkpoint deleted)");
        }
        resume = start;
        log.info("binlog source starts at {}:{}{}", start.fileName(facts.basename), start.position(), last == null ? " (no checkpoint)" : "");
        startReader();
    }

    private void startReader() {
        reader = new Thread(this::read, "greenwell-binlog");
        reader.setDaemon(true);
        lastEventNanos = System.nanoTime();
        reader.start();
    }

    /**
     * Takes the initial snapshot ({@link Snapshot}) and hands its records over: all but the last
     * with a negative offset (a checkpoint there means the snapshot did not finish, and it is taken
     * again: the target reloads each table, so that is harmless), the last one with the offset that
     * resumes the binlog at the snapshot's position. The schema is read inside the snapshot.
     */
    private void takeSnapshot() throws java.sql.SQLException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try (java.sql.Connection c = ServerFacts.connect(host, port, user, password, "tinyInt1isBit=false&yearIsDateType=false")) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET SESSION time_zone = '+00:00'");
                }
                Snapshot snap = new Snapshot(c, facts.mariadb);
                BinlogPosition at = snap.open();
                SchemaState state = new SchemaState(facts.serverCharset);
                state.seed(c, databases, SYSTEM_DATABASES);
                BinlogPosition after = ServerFacts.end(c);
                long horizon = at.equals(after) ? at.commitOffset() : after.commitOffset();
                state.horizon(horizon);
                if (!skipDdl) {
                    use(state);
                    if (history != null) { // before any record: a checkpoint past the snapshot finds the schema it stands on
                        history.open();
                        if (horizon == at.commitOffset()) {
                            history.snapshot(horizon, state);
                        } else {
                            history.gap(at.commitOffset());
                            snapshotAt = horizon;
                        }
                    }
                }
                long inside = -1 - at.commitOffset();
                byte[][] held = new byte[1][];
                snap.read(state, System.currentTimeMillis() / 1000, rec -> {
                    if (held[0] != null) {
                        offer(new SourceRecord(STREAM, inside, held[0]));
                    }
                    held[0] = rec;
                });
                if (held[0] != null) {
                    offer(new SourceRecord(STREAM, at.commitOffset(), held[0]));
                }
                resume = at;
                log.info("binlog source: snapshot of {} tables taken at {}:{}; the binlog follows from there", state.tables().size(),
                        at.fileName(facts.basename), at.position());
                return;
            } catch (java.sql.SQLException e) {
                // a table altered after the snapshot began cannot be read in it (1412), nor its columns by their old names
                // (1054), nor a table dropped since (1146): the snapshot is taken again
                if ((e.getErrorCode() != 1412 && e.getErrorCode() != 1054 && e.getErrorCode() != 1146) || attempt >= 3) {
                    throw e;
                }
                log.warn("binlog source: a table changed while the snapshot read it ({}); taking it again", e.getMessage());
            }
        }
    }

    private void offer(SourceRecord rec) throws InterruptedException {
        handing = true;
        try {
            put(rec);
        } finally {
            handing = false;
            lastEventNanos = System.nanoTime();
        }
    }

    /**
     * Reads the chosen databases' schema, which DDL statements start from, and tells from where on
     * it holds ({@link SchemaState}). Without a checkpoint the source starts where the binlog ended
     * while the schema was read, read again until the end did not move meanwhile (three tries),
     * so that it holds from the first event.
     *
     * @param from the checkpoint's resume point, or null for none
     * @return where the source starts
     */
    private BinlogPosition readSchema(BinlogPosition from) {
        if (history != null) {
            history.open();
            if (from != null) {
                SchemaState kept = history.load(from.commitOffset(), facts.serverCharset);
                if (kept != null) {
                    use(kept);
                    log.info("binlog source: the schema at {}:{} from the schema history {}", from.fileName(facts.basename), from.position(),
                            history.describe());
                    return from;
                }
                log.warn("binlog source: the schema history {} has nothing at or before {}:{}; the schema is read from the server",
                        history.describe(), from.fileName(facts.basename), from.position());
            }
        }
        try (java.sql.Connection c = ServerFacts.connect(host, port, user, password)) {
            for (int attempt = 1; ; attempt++) {
                BinlogPosition before = ServerFacts.end(c);
                SchemaState state = new SchemaState(facts.serverCharset);
                state.seed(c, databases, SYSTEM_DATABASES);
                BinlogPosition after = ServerFacts.end(c);
                boolean still = before.equals(after);
                if (from == null && !still && attempt < 3) {
                    continue;
                }
                long horizon = from == null && still ? before.commitOffset() : after.commitOffset();
                state.horizon(horizon);
                use(state);
                if (history != null) {
                    if (from == null && still) {
                        history.snapshot(horizon, state);
                    } else {
                        // kept once the reader is past every statement the read may be ahead of; until then a restart reads the
                        // server again, not an older snapshot that misses what happened before this start
                        history.gap((from != null ? from : before).commitOffset());
                        snapshotAt = horizon;
                    }
                }
                if (from == null && !still) {
                    log.warn("binlog source: the binlog moved while the schema was read; DDL about the tables it read before {}:{}"
                            + " stops the source", after.fileName(facts.basename), after.position());
                }
                return from != null ? from : before;
            }
        } catch (java.sql.SQLException e) {
            throw new CdcException("cannot read the schema of the MySQL server at " + host + ":" + port + ": " + e.getMessage()
                    + " (the user needs SELECT on the tables of the chosen databases, or run with skipDdl)", e);
        }
    }

    private void use(SchemaState state) {
        schema = state;
        ddl = new DdlReader(state, this::included);
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        if (reader == null) {
            seek(Map.of());
        }
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        watchdog();
        SourceRecord first = ready.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            f = failure;
            if (f != null) {
                throw f;
            }
            return List.of();
        }
        List<SourceRecord> out = new ArrayList<>(Math.min(POLL_RECORDS, ready.size() + 1));
        out.add(first);
        ready.drainTo(out, POLL_RECORDS - 1);
        return out;
    }

    /** Closes a connection on which nothing came for three heartbeats: the reader opens it again. */
    private void watchdog() {
        BinaryLogClient c = client;
        if (c != null && c.isConnected() && !handing && System.nanoTime() - lastEventNanos > 3 * heartbeat.toNanos()) {
            log.warn("binlog source: nothing from {}:{} for {} s, not even a heartbeat; connecting again", host, port,
                    3 * heartbeat.toSeconds());
            lastEventNanos = System.nanoTime();
            disconnect(c);
        }
    }

    @Override
    public boolean isFinished() {
        return false;
    }

    @Override
    public void close() {
        closing = true;
        if (reader != null) {
            reader.interrupt(); // a reader waiting for room in the queue gives up at once
        }
        BinaryLogClient c = client;
        if (c != null) {
            disconnect(c);
        }
        if (reader != null) {
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            pending.clear();
        }
    }

    private static void disconnect(BinaryLogClient c) {
        try {
            c.disconnect();
        } catch (IOException e) {
            // going anyway
        }
    }

    // ---- the reader thread ----

    private void read() {
        if (snapshotting) {
            try {
                takeSnapshot();
            } catch (InterruptedException e) {
                return; // closing
            } catch (java.sql.SQLException | RuntimeException e) {
                if (!closing) {
                    fail(e instanceof CdcException ce ? ce : new CdcException("the binlog source's snapshot of " + host + ":" + port
                            + " failed: " + e.getMessage() + (e instanceof java.sql.SQLException se && se.getErrorCode() == 1227
                            ? " (on MySQL the user needs RELOAD for FLUSH TABLES WITH READ LOCK)" : ""), e));
                }
                return;
            }
        }
        long pause = 200;
        while (!closing && failure == null) {
            BinaryLogClient c = new BinaryLogClient(host, port, user, password);
            c.setServerId(serverId);
            c.setKeepAlive(false); // reconnections start at a transaction boundary, which only this source knows
            c.setHeartbeatInterval(heartbeat.toMillis());
            c.setBinlogFilename(resume.fileName(facts.basename));
            c.setBinlogPosition(resume.position());
            EventDeserializer d = SignedTimeRows.eventDeserializer();
            d.setCompatibilityMode(EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                    EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY,
                    EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
            c.setEventDeserializer(d);
            c.registerEventListener(this::onEvent);
            c.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
                @Override
                public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
                    connectionFailure = ex; // an error the server sent after the dump request lands here, not in connect()
                }

                @Override
                public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
                    fail(new CdcException("cannot read the binlog event after " + resume.fileName(facts.basename) + ":" + resume.position()
                            + ": " + ex.getMessage(), ex));
                    disconnect(client);
                }
            });
            tables.clear();
            pending.clear();
            transactionStart = -1;
            inTransaction = false;
            gtid = null;
            eventsThisConnection = 0;
            connectionFailure = null;
            client = c;
            if (closing) {
                break;
            }
            lastEventNanos = System.nanoTime();
            try {
                c.connect(); // reads events on this thread until the connection ends
                if (connectionFailure instanceof ServerException se) {
                    throw se;
                }
                if (!closing && failure == null) {
                    log.warn("binlog source: the connection to {}:{} ended{}; connecting again from {}:{}", host, port,
                            connectionFailure == null ? "" : " (" + connectionFailure.getMessage() + ")", resume.fileName(facts.basename),
                            resume.position());
                }
            } catch (ServerException e) {
                if (e.getErrorCode() == 1236) {
                    fail(new CdcException("the server at " + host + ":" + port + " cannot send its binlog from "
                            + resume.fileName(facts.basename) + ":" + resume.position() + " (" + e.getMessage() + "): if the file was purged,"
                            + " the changes since are lost to this source; take a new snapshot and start the pipeline over", e));
                } else if (e.getErrorCode() == 1045 || e.getErrorCode() == 1227 || e.getErrorCode() == 1044) {
                    fail(new CdcException("the server at " + host + ":" + port + " refused the binlog source (" + e.getMessage()
                            + "): the user needs REPLICATION SLAVE and REPLICATION CLIENT", e));
                } else {
                    log.warn("binlog source: {} ({}), connecting again", e.getMessage(), e.getErrorCode());
                }
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    log.warn("binlog source: connection to {}:{} failed: {}; connecting again from {}:{}", host, port, e.getMessage(),
                            resume.fileName(facts.basename), resume.position());
                }
            }
            if (closing || failure != null) {
                break;
            }
            pause = eventsThisConnection > 1 ? 200 : Math.min(5_000, pause * 2); // (the first event of every connection is a fake rotate)
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                break;
            }
            reconnections.incrementAndGet();
        }
        pending.clear();
    }

    /** @return how many times the source connected again after a connection ended, in this instance */
    public long reconnections() {
        return reconnections.get();
    }

    private void fail(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
    }

    private void onEvent(Event e) {
        lastEventNanos = System.nanoTime();
        eventsThisConnection++;
        if (failure != null || closing) {
            return;
        }
        try {
            handle(e);
        } catch (InterruptedException ie) {
            disconnect(client); // closing
        } catch (RuntimeException ex) {
            fail(ex instanceof CdcException ? ex : new CdcException("binlog source: " + ex, ex));
            disconnect(client);
        }
    }

    private void handle(Event e) throws InterruptedException {
        EventHeaderV4 h = e.getHeader();
        EventType type = h.getEventType();
        long next = h.getNextPosition();
        long start = next - h.getEventLength();
        switch (type) {
            case ROTATE: {
                RotateEventData r = e.getData();
                file = r.getBinlogFilename();
                fileNumber = BinlogPosition.fileNumber(file);
                return;
            }
            case MARIADB_GTID: {
                MariadbGtidEventData g = e.getData();
                transactionStart = start;
                gtid = g.getDomainId() + "-" + g.getServerId() + "-" + g.getSequence();
                // a standalone group (DDL) is one statement; any other opens a transaction without a BEGIN
                inTransaction = (g.getFlags() & MariadbGtidEventData.FL_STANDALONE) == 0;
                return;
            }
            case GTID: {
                GtidEventData g = e.getData();
                transactionStart = start;
                gtid = g.getGtid();
                return;
            }
            case ANONYMOUS_GTID:
                transactionStart = start;
                gtid = null;
                return;
            case TRANSACTION_PAYLOAD:
                throw new CdcException("the binlog at " + position(start) + " holds a compressed transaction: the binlog source cannot read"
                        + " binlog_transaction_compression=ON yet; turn it off (SET GLOBAL binlog_transaction_compression = OFF)");
            case PARTIAL_UPDATE_ROWS_EVENT:
                throw new CdcException("the binlog at " + position(start) + " holds a partial JSON update: set binlog_row_value_options=''"
                        + " so that updates carry whole values");
            case PRE_GA_WRITE_ROWS: case PRE_GA_UPDATE_ROWS: case PRE_GA_DELETE_ROWS:
                throw new CdcException("the binlog at " + position(start) + " holds rows events of a MySQL before 5.1.16, which the source cannot read");
            case INCIDENT:
                throw new CdcException("the binlog at " + position(start) + " records an incident (the server may have lost changes there):"
                        + " the replica's tables may differ from the server's; take a new snapshot");
            case XA_PREPARE:
                throw new CdcException("the binlog at " + position(start) + " holds an XA transaction, which the binlog source cannot read yet");
            case QUERY: {
                query(e.getData(), h, start, next);
                return;
            }
            case TABLE_MAP: {
                TableMapEventData t = e.getData();
                if (included(t.getDatabase())) {
                    TableColumns columns = TableColumns.of(t, facts);
                    if (schema != null && facts.mariadb) {
                        columns.markJsonText(schema.peek(new io.greenwell.cdc.event.TableId(t.getDatabase(), t.getTable())));
                    }
                    tables.put(t.getTableId(), columns);
                } else {
                    tables.remove(t.getTableId());
                }
                return;
            }
            case WRITE_ROWS: case EXT_WRITE_ROWS: {
                WriteRowsEventData w = e.getData();
                TableColumns t = tables.get(w.getTableId());
                if (t != null) {
                    String at = position(start);
                    for (Serializable[] row : w.getRows()) {
                        pending.add(json.row(t, "insert", null, null, w.getIncludedColumns(), row, h.getTimestamp() / 1000, at, gtid, h.getServerId()));
                    }
                }
                begun(start);
                return;
            }
            case UPDATE_ROWS: case EXT_UPDATE_ROWS: {
                UpdateRowsEventData u = e.getData();
                TableColumns t = tables.get(u.getTableId());
                if (t != null) {
                    String at = position(start);
                    BitSet before = u.getIncludedColumnsBeforeUpdate();
                    BitSet after = u.getIncludedColumns();
                    for (Map.Entry<Serializable[], Serializable[]> row : u.getRows()) {
                        pending.add(json.row(t, "update", before, row.getKey(), after, row.getValue(), h.getTimestamp() / 1000, at, gtid,
                                h.getServerId()));
                    }
                }
                begun(start);
                return;
            }
            case DELETE_ROWS: case EXT_DELETE_ROWS: {
                DeleteRowsEventData d = e.getData();
                TableColumns t = tables.get(d.getTableId());
                if (t != null) {
                    String at = position(start);
                    for (Serializable[] row : d.getRows()) {
                        pending.add(json.row(t, "delete", d.getIncludedColumns(), row, null, null, h.getTimestamp() / 1000, at, gtid, h.getServerId()));
                    }
                }
                begun(start);
                return;
            }
            case XID: {
                XidEventData x = e.getData();
                commit(x.getXid(), next);
                return;
            }
            default:
        }
    }

    /**
     * Keeps the schema in the history once the reader has reached the point from which the start's
     * read of it holds ({@link #snapshotAt}): at a statement's start or a transaction boundary,
     * where the state is the schema before the event at {@code position}.
     */
    private void keepSnapshot(long position) {
        if (snapshotAt >= 0) {
            long offset = new BinlogPosition(fileNumber, position).commitOffset();
            if (offset >= snapshotAt) {
                history.snapshot(offset, schema);
                snapshotAt = -1;
            }
        }
    }

    /** A rows event without a GTID or BEGIN before it (not written by servers, but safe): the transaction starts at it. */
    private void begun(long start) {
        if (transactionStart < 0) {
            transactionStart = start;
        }
    }

    private void query(QueryEventData q, EventHeaderV4 h, long start, long next) throws InterruptedException {
        keepSnapshot(start);
        String sql = withoutComments(q.getSql()).trim();
        String upper = sql.length() > 16 ? sql.substring(0, 16).toUpperCase(Locale.ROOT) : sql.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN") || upper.startsWith("BEGIN ") || upper.startsWith("START TRANSACTION")) {
            if (transactionStart < 0) {
                transactionStart = start;
            }
            inTransaction = true;
            return;
        }
        if (upper.equals("COMMIT") || upper.startsWith("COMMIT ")) {
            commit(null, next); // a transaction of tables without transactions (MyISAM): no XID
            return;
        }
        if (IN_TRANSACTION_NO_OP.matcher(sql).find()) {
            // SAVEPOINT, RELEASE SAVEPOINT: nothing to do; ROLLBACK TO: the server already left the rolled-back rows
            // of transactional tables out of the binlog, and those of other tables stay changed
            return;
        }
        if (upper.equals("ROLLBACK") || upper.startsWith("ROLLBACK ")) {
            pending.clear();
            boundary(next);
            return;
        }
        String database = q.getDatabase() == null || q.getDatabase().isEmpty() ? null : q.getDatabase();
        if (XA.matcher(sql).find()) {
            if (inScope(database, sql)) {
                throw new CdcException("the binlog at " + position(start) + " holds an XA transaction (`" + abbreviate(sql)
                        + "`), which the binlog source cannot read yet");
            }
            return;
        }
        if (ROW_STATEMENT.matcher(sql).find()) {
            if (inScope(database, sql)) {
                throw new CdcException("the binlog at " + position(start) + " holds a row change as a statement (`" + abbreviate(sql)
                        + "`): a session wrote it with binlog_format=STATEMENT or MIXED; every session must write ROW");
            }
            if (inTransaction) {
                return;
            }
        } else {
            java.util.regex.Matcher m = SCHEMA_STATEMENT.matcher(sql);
            if ((m.find() && !TEMPORARY.matcher(sql).find() && ddlConcerns(m, database)) || DROP_PRIMARY.matcher(sql).find()) {
                String at = position(start);
                if (skipDdl) {
                    log.warn("binlog source: DDL at {} left to the target's owner (skipDdl): {}", at, abbreviate(sql));
                } else {
                    long offset = new BinlogPosition(fileNumber, start).commitOffset();
                    List<DdlReader.Change> changes = ddl.read(q.getSql(), database, offset, at);
                    if (history != null && !changes.isEmpty()) {
                        history.changed(offset, changes, this::included); // before the records: a checkpoint past them finds the entries
                    }
                    if (inTransaction) {
                        // CREATE TABLE ... SELECT: the statement, then its rows, in one transaction
                        handOver(changes, q.getSql(), h, at, new BinlogPosition(fileNumber, Math.max(0, transactionStart)).innerOffset(), -1);
                        return;
                    }
                    handOver(changes, q.getSql(), h, at, new BinlogPosition(fileNumber, transactionStart >= 0 ? transactionStart : start).innerOffset(),
                            new BinlogPosition(fileNumber, next).commitOffset());
                }
            } else if (inTransaction) {
                return; // a statement inside a transaction that changes no rows of a table (SET, a call)
            }
        }
        // a statement of its own (DDL, GRANT, FLUSH) is a transaction boundary
        pending.clear();
        inTransaction = false;
        boundary(next);
    }

    /** @return the statement with plain comments removed and versioned ones ({@code /*!40100 ...}) read as their content */
    private static String withoutComments(String sql) {
        if (!sql.contains("/*") && !sql.contains("--") && !sql.contains("#")) {
            return sql;
        }
        // leading line comments too (migration tools send "-- step 12\nALTER TABLE ...")
        return sql.replaceAll("(?s)/\\*!\\d*(.*?)\\*/", "$1").replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("^(?:\\s*(?:--[ \\t][^\\n]*|--|#[^\\n]*)(?:\\n|$))+", "");
    }

    /** Whether a schema statement is about a table or database of the chosen ones. */
    private boolean ddlConcerns(java.util.regex.Matcher m, String session) {
        boolean databaseLevel = m.group(1) != null && !m.group(1).toLowerCase(Locale.ROOT).startsWith("table");
        String first = m.group(4) != null ? m.group(4) : m.group(5);
        String second = m.group(6) != null ? m.group(6) : m.group(7);
        if (databaseLevel) {
            return included(first);
        }
        if (m.group(3) == null && !skipDdl) {
            return true; // DdlReader looks at every table it names: a later one, or a RENAME's target, may be followed
        }
        String db = second != null ? first : session;
        return db == null || included(db); // an unqualified table without a session database: assume it matters
    }

    /** Whether a statement that is not DDL may touch the chosen databases: its session database, or one it names. */
    private boolean inScope(String session, String sql) {
        if (session != null && included(session)) {
            return true;
        }
        if (databases.isEmpty()) {
            return session == null || !SYSTEM_DATABASES.contains(session.toLowerCase(Locale.ROOT)) || sql.contains(".");
        }
        for (String db : databases) {
            if (Pattern.compile("(?i)(?:`" + Pattern.quote(db) + "`|\\b" + Pattern.quote(db) + "\\b)\\s*\\.").matcher(sql).find()) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ");
        return one.length() <= 300 ? one : one.substring(0, 300) + "…";
    }

    private boolean included(String database) {
        return databases.isEmpty() ? !SYSTEM_DATABASES.contains(database.toLowerCase(Locale.ROOT)) : databases.contains(database);
    }

    private String position(long start) {
        return file + ":" + start;
    }

    /** Hands the open transaction's rows over: they resume at its start, the last one after it. */
    private void commit(Long xid, long next) throws InterruptedException {
        if (pending.size() > 0) {
            long inner = new BinlogPosition(fileNumber, Math.max(0, transactionStart)).innerOffset();
            long last = new BinlogPosition(fileNumber, next).commitOffset();
            String xidField = xid == null ? "" : ",\"xid\":" + xid;
            handing = true;
            try {
                pending.release((row, index, isLast) -> {
                String mid = xidField + (isLast ? ",\"commit\":true," : ",\"xoffset\":" + index + ",");
                byte[] m = mid.getBytes(StandardCharsets.US_ASCII);
                byte[] head = row.head();
                byte[] tail = row.tail();
                // {head…} + mid + {tail…}: the head without its closing brace, the tail without its opening one
                byte[] out = new byte[head.length - 1 + m.length + tail.length - 1];
                System.arraycopy(head, 0, out, 0, head.length - 1);
                System.arraycopy(m, 0, out, head.length - 1, m.length);
                System.arraycopy(tail, 1, out, head.length - 1 + m.length, tail.length - 1);
                put(new SourceRecord(STREAM, isLast ? last : inner, out));
                });
            } finally {
                handing = false;
                lastEventNanos = System.nanoTime();
            }
        }
        boundary(next);
    }

    /**
     * Hands the records of one DDL statement over: all but the last resume at the statement (read
     * again, the pipeline's watermark drops the ones applied), the last one after it.
     *
     * @param last the last record's offset, or -1 when the statement is inside a transaction (all resume at its start)
     */
    private void handOver(List<DdlReader.Change> changes, String sql, EventHeaderV4 h, String at, long inner, long last)
            throws InterruptedException {
        for (int i = 0; i < changes.size(); i++) {
            byte[] bytes = DdlJson.render(changes.get(i), h.getTimestamp(), sql, at, gtid, h.getServerId());
            offer(new SourceRecord(STREAM, i == changes.size() - 1 && last >= 0 ? last : inner, bytes));
        }
    }

    /** Waits for room in the queue, giving up when the source closes. */
    private void put(SourceRecord rec) throws InterruptedException {
        while (!ready.offer(rec, 100, TimeUnit.MILLISECONDS)) {
            if (closing) {
                throw new InterruptedException("closing");
            }
        }
        lastPutNanos = System.nanoTime();
    }

    /**
     * A transaction boundary: where the next connection starts. When nothing was handed over for
     * {@link #MARK_NANOS} (the chosen databases are quiet while others fill the binlog), a
     * {@link SourceRecord#mark} moves the checkpoint here too, so that it does not stay in a file the
     * server may purge.
     */
    private void boundary(long next) throws InterruptedException {
        boundaryOnly(next);
        if (System.nanoTime() - lastPutNanos > MARK_NANOS) {
            put(SourceRecord.mark(STREAM, resume.commitOffset()));
        }
    }

    private void boundaryOnly(long next) {
        keepSnapshot(next);
        resume = new BinlogPosition(fileNumber, next);
        transactionStart = -1;
        inTransaction = false;
        gtid = null;
    }

    /** Options of a {@link BinlogSource}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 3306;
        private String user;
        private String password;
        private long serverId = -1;
        private Collection<String> databases = List.of();
        private boolean skipDdl;
        private boolean snapshot;
        private long transactionMemoryBytes = 64L << 20;
        private int queueRecords = 50_000;
        private Duration heartbeat = Duration.ofSeconds(10);
        private String historyUrl;
        private String historyUser;
        private String historyPassword;

        private Builder() {}

        /**
         * Keeps the schema over time in table {@code greenwell.binlog_schema_history} of a PostgreSQL or Greenplum database
         * (usually the target's), so that DDL read after a restart finds the tables' definitions as they were at the
         * checkpoint, however long the source was stopped. Without it the schema is read from the server at every start, and a
         * DDL statement about a table that existed then, read before the binlog's end of that moment, stops the source (the
         * definition read may already include it).
         *
         * @param jdbcUrl the database's JDBC URL, never null
         * @param user its user, or null for the URL's
         * @param password its password, or null for the URL's
         */
        public Builder schemaHistory(String jdbcUrl, String user, String password) {
            this.historyUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            this.historyUser = user;
            this.historyPassword = password;
            return this;
        }

        /** {@link #schemaHistory(String, String, String)} with the credentials in the URL. */
        public Builder schemaHistory(String jdbcUrl) {
            return schemaHistory(jdbcUrl, null, null);
        }

        /** The server's host; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The server's port; default 3306. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The user, with REPLICATION SLAVE and REPLICATION CLIENT. */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The password, or null for none. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** The server id this source replicates as: unique among the server's replicas, 1 to 2^32 - 1. */
        public Builder serverId(long serverId) {
            if (serverId < 1 || serverId > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("server id must be 1 to 4294967295: " + serverId);
            }
            this.serverId = serverId;
            return this;
        }

        /** The databases whose rows are read; default all but the server's own (mysql, sys, information_schema, performance_schema). */
        public Builder databases(Collection<String> databases) {
            this.databases = List.copyOf(databases);
            return this;
        }

        /**
         * Whether DDL of the chosen databases is passed over (the target's tables changed by hand) instead of becoming schema
         * changes; default false. With it, the source needs no SELECT on the tables (it reads no schema).
         */
        public Builder skipDdl(boolean skip) {
            this.skipDdl = skip;
            return this;
        }

        /**
         * Whether a source without a checkpoint first takes a consistent snapshot of every table of the chosen databases and
         * gives it as a Maxwell bootstrap (each table created in the target where missing, then reloaded), then reads the
         * binlog from the snapshot's position; default false (the binlog from its current end). A snapshot that did not
         * finish is taken again at the next start. The user needs SELECT on the tables, and on MySQL RELOAD (for
         * {@code FLUSH TABLES WITH READ LOCK}, held only while the binlog position is read); MariaDB takes none.
         */
        public Builder snapshot(boolean snapshot) {
            this.snapshot = snapshot;
            return this;
        }

        /** How many bytes of an open transaction's rows are held in memory before the rest goes to a temporary file; default 64 MiB. */
        public Builder transactionMemoryBytes(long bytes) {
            this.transactionMemoryBytes = bytes;
            return this;
        }

        /** How many records of committed transactions wait for {@code poll} at most; default 50,000. */
        public Builder queueRecords(int records) {
            this.queueRecords = records;
            return this;
        }

        /** The heartbeat the server sends when idle; a connection silent for three of them is opened again. Default 10 s. */
        public Builder heartbeat(Duration heartbeat) {
            if (heartbeat.toMillis() < 100) {
                throw new IllegalArgumentException("a heartbeat of at least 100 ms is needed: " + heartbeat);
            }
            this.heartbeat = heartbeat;
            return this;
        }

        public BinlogSource build() {
            if (user == null) {
                throw new IllegalArgumentException("a user is needed");
            }
            if (serverId < 0) {
                throw new IllegalArgumentException("a server id is needed: one that no other replica of the server uses");
            }
            return new BinlogSource(this);
        }
    }
}
