package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.BootstrapMarker;
import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableDef;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import io.greenwell.cdc.spi.KeyResolver;
import io.greenwell.cdc.spi.TableShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reduces the events of a batch to the minimal net change per primary key, so that applying the
 * {@link NetBatch} to a table gives exactly what applying the events one by one gives.
 *
 * <p>Per key, the events fold into one state: an insert, or an update with a full image, makes an
 * upsert of the latest image; a delete makes a delete, or nothing when the row was inserted in
 * the same batch; an update with a partial image (MINIMAL row image) sets the columns it holds,
 * merged with the updates before and after it, and is absorbed into an upsert when the batch
 * holds the full row. An update whose {@code old} holds a key column moves the row: the old key
 * is deleted and the new key takes the row, so a chain A→B→C leaves delete A, delete B,
 * upsert C. Tables without a key are multisets: each distinct image carries a count, identical
 * images cancel, and the rest become "insert n copies" and "delete n copies".
 *
 * <p>DDL and bootstrap markers are barriers: the changes before them form one
 * {@link NetBatch.Changes} step, the barrier its own step, and what follows a new step. Bootstrap
 * rows never merge with the table's other changes: they go to a separate {@link TableChanges}
 * marked {@code snapshot}.
 *
 * <p>The key of a table comes from the rows' {@code primary_key_columns} when present, else from
 * the last DDL seen for the table, else from the {@link KeyResolver}. An image is full when it
 * holds as many columns as the table is known to have; when the columns are not known, images
 * are taken as full unless {@link Builder#assumeFullImages(boolean)} says otherwise.
 *
 * <p>Pure (no I/O besides the resolver), not thread-safe. Retained images are accounted in bytes
 * ({@link #retainedBytes()}) so that a caller can stop reading while a batch is large.
 */
public final class Compactor {

    private final KeyResolver resolver;
    private final boolean assumeFullImages;

    /** Table shapes learnt from DDL and from the resolver; kept across batches until DDL changes them. */
    private final Map<TableId, TableShape> shapes = new HashMap<>();
    /** Tables the resolver did not know, remembered for the current batch only. */
    private final Set<TableId> unknown = new HashSet<>();
    /** How many keys each table had in its last step, to size the next step's map. */
    private final Map<TableId, Integer> lastKeyCounts = new HashMap<>();

    private List<NetBatch.Step> steps = new ArrayList<>();
    private List<Rejected> rejected = new ArrayList<>();
    private final LinkedHashMap<TableId, TableState> rows = new LinkedHashMap<>();
    private final LinkedHashMap<TableId, TableState> snapshots = new LinkedHashMap<>();
    private TableState lastRows;
    private int seq;
    private long retained;
    private long events;
    private long inserts;
    private long updates;
    private long deletes;
    private long bootstrapRows;
    private long schemaChanges;
    private long bootstrapMarkers;
    private long netUpserts;
    private long netDeletes;
    private long netPartials;
    private long netMoves;
    private long netKeylessRows;

    private Compactor(Builder b) {
        this.resolver = b.resolver;
        this.assumeFullImages = b.assumeFullImages;
    }

    /** @return a compactor with no key resolver that takes images as full; never null */
    public static Compactor create() {
        return builder().build();
    }

    /** @return a builder; never null, methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the next event of the batch, in stream order.
     *
     * @param event the event, never null
     * @return the event's batch-local sequence number (0 for the first event of a batch), by
     *     which net changes and rejects name their sources
     */
    public int add(ChangeEvent event) {
        Objects.requireNonNull(event, "event");
        int source = seq++;
        events++;
        if (event instanceof RowChange) {
            addRow((RowChange) event, source);
        } else if (event instanceof SchemaChange) {
            SchemaChange c = (SchemaChange) event;
            seal();
            steps.add(new NetBatch.Schema(c, source));
            learn(c);
            schemaChanges++;
        } else {
            BootstrapMarker m = (BootstrapMarker) event;
            seal();
            steps.add(m.kind() == BootstrapMarker.Kind.START
                    ? new NetBatch.BootstrapStart(m.table(), source)
                    : new NetBatch.BootstrapComplete(m.table(), source));
            bootstrapMarkers++;
        }
        return source;
    }

    /**
     * Adds a record that could not be decoded, so that it takes its place in the batch and ends in
     * the dead letters.
     *
     * @param message why it could not be decoded, never null
     * @return its batch-local sequence number
     */
    public int addUndecodable(String message) {
        int source = seq++;
        events++;
        rejected.add(new Rejected(source, null, Rejected.Reason.UNDECODABLE, Objects.requireNonNull(message, "message")));
        return source;
    }

    /** @return an estimate of the heap bytes held by the open batch's row images */
    public long retainedBytes() {
        return retained;
    }

    /** @return how many events the open batch holds */
    public int size() {
        return seq;
    }

    /**
     * Closes the batch and starts the next one.
     *
     * @return the net changes, with no watermarks or offsets; never null
     */
    public NetBatch finish() {
        return finish(Map.of(), Map.of(), 0, false, Origins.NONE);
    }

    NetBatch finish(Map<WatermarkKey, Watermark> watermarks, Map<String, Long> lastOffsets, long duplicates, boolean split,
            Origins origins) {
        seal();
        BatchStats stats = new BatchStats(events + duplicates, inserts, updates, deletes, bootstrapRows, schemaChanges,
                bootstrapMarkers, duplicates, rejected.size(), split ? 1 : 0, netUpserts, netDeletes, netPartials, netMoves,
                netKeylessRows);
        NetBatch batch = new NetBatch(steps, stats, watermarks, lastOffsets, rejected, origins);
        steps = new ArrayList<>();
        rejected = new ArrayList<>();
        unknown.clear();
        seq = 0;
        retained = 0;
        events = inserts = updates = deletes = bootstrapRows = schemaChanges = bootstrapMarkers = 0;
        netUpserts = netDeletes = netPartials = netMoves = netKeylessRows = 0;
        return batch;
    }

    private void addRow(RowChange r, int source) {
        Op op = r.op();
        switch (op) {
            case INSERT:
                inserts++;
                break;
            case UPDATE:
                updates++;
                break;
            case DELETE:
                deletes++;
                break;
            default:
                bootstrapRows++;
                break;
        }
        TableState ts = tableState(r, op == Op.BOOTSTRAP_INSERT);
        if (ts == null) {
            reject(source, r, Rejected.Reason.UNKNOWN_TABLE, "no key is known for table " + r.table()
                    + ": no primary_key_columns, no DDL in the stream and the target does not know it");
            return;
        }
        if (ts.keyless()) {
            addKeyless(ts, r, source);
            return;
        }
        Object key = key(ts, r.data(), r, source);
        if (key == null) {
            return;
        }
        Row data = r.data();
        switch (op) {
            case INSERT:
            case BOOTSTRAP_INSERT:
                insert(ts, key, data, source);
                break;
            case DELETE:
                delete(ts, key, source);
                break;
            default:
                if (changesKey(ts, r)) {
                    Object oldKey = key(ts, r.before(), r, source);
                    if (oldKey != null) {
                        move(ts, oldKey, key, data, isFull(ts, data), source);
                    }
                } else {
                    update(ts, key, data, isFull(ts, data), source);
                }
                break;
        }
    }

    // ---- per-key state transitions ----

    private void insert(TableState ts, Object key, Row image, int source) {
        KeyState st = ts.get(key);
        if (st == null) {
            st = ts.newState(key, this);
            st.set(KeyState.UPSERT, image, this);
            st.created = true;
        } else {
            st.created = st.kind == KeyState.NONE;
            st.set(KeyState.UPSERT, image, this);
        }
        st.addSource(source);
    }

    private void update(TableState ts, Object key, Row image, boolean full, int source) {
        KeyState st = ts.get(key);
        if (st == null) {
            st = ts.newState(key, this);
            if (full) {
                st.set(KeyState.UPSERT, image, this);
            } else {
                st.set(KeyState.PARTIAL, ts.withoutKey(image), this);
            }
        } else {
            switch (st.kind) {
                case KeyState.UPSERT:
                    st.set(KeyState.UPSERT, full ? image : overlay(st.image, image), this);
                    break;
                case KeyState.PARTIAL:
                    if (full) {
                        st.set(KeyState.UPSERT, image, this);
                    } else {
                        st.set(KeyState.PARTIAL, overlay(st.image, ts.withoutKey(image)), this);
                    }
                    break;
                case KeyState.MOVED:
                    if (full) {
                        st.set(KeyState.UPSERT, image, this); // created stays: did the key exist before the batch?
                    } else {
                        st.set(KeyState.MOVED, overlay(st.image, image), this);
                    }
                    break;
                default: // DELETE or NONE: an update of a row that is gone, only a full image means anything
                    if (full) {
                        st.created = st.kind == KeyState.NONE;
                        st.set(KeyState.UPSERT, image, this);
                    }
                    break;
            }
        }
        st.addSource(source);
    }

    private void delete(TableState ts, Object key, int source) {
        KeyState st = ts.get(key);
        if (st == null) {
            st = ts.newState(key, this);
            st.set(KeyState.DELETE, null, this);
        } else if (((st.kind == KeyState.UPSERT || st.kind == KeyState.MOVED) && st.created) || st.kind == KeyState.NONE) {
            st.set(KeyState.NONE, null, this); // the key had no row before the batch: leave it untouched
        } else {
            st.set(KeyState.DELETE, null, this);
        }
        st.addSource(source);
    }

    /** A key change from {@code oldKey} to {@code newKey}; {@code image} is the row after it. */
    private void move(TableState ts, Object oldKey, Object newKey, Row image, boolean full, int source) {
        KeyState from = ts.get(oldKey);
        byte kind;
        Row content;
        Object fromKey = null;
        if (full) {
            kind = KeyState.UPSERT;
            content = image;
        } else if (from == null) {
            kind = KeyState.MOVED;
            content = image;
            fromKey = oldKey;
        } else if (from.kind == KeyState.UPSERT) {
            kind = KeyState.UPSERT;
            content = overlay(from.image, image);
        } else if (from.kind == KeyState.PARTIAL) {
            kind = KeyState.MOVED;
            content = overlay(from.image, image);
            fromKey = oldKey;
        } else if (from.kind == KeyState.MOVED) {
            kind = KeyState.MOVED;
            content = overlay(from.image, image);
            fromKey = from.fromKey;
        } else { // the old row is gone: an anomaly, keep what the image says
            kind = KeyState.UPSERT;
            content = image;
        }
        KeyState to = ts.get(newKey);
        boolean created = to == null || to.kind == KeyState.NONE;
        if (to == null) {
            to = ts.newState(newKey, this);
        }
        if (from == null) {
            from = ts.newState(oldKey, this);
        } else {
            to.addSources(from);
        }
        to.set(kind, content, this);
        to.fromKey = fromKey;
        to.created = created;
        to.addSource(source);
        from.set(KeyState.DELETE, null, this);
        from.created = false;
        from.addSource(source);
    }

    private void addKeyless(TableState ts, RowChange r, int source) {
        switch (r.op()) {
            case INSERT:
            case BOOTSTRAP_INSERT:
                ts.count(r.data(), 1, source, this);
                break;
            case DELETE:
                ts.count(r.data(), -1, source, this);
                break;
            default:
                ts.count(r.before(), -1, source, this);
                ts.count(r.data(), 1, source, this);
                break;
        }
    }

    // ---- keys, images, tables ----

    private boolean changesKey(TableState ts, RowChange r) {
        Row old = r.old();
        if (old.isEmpty()) {
            return false;
        }
        for (String k : ts.keyColumns) {
            Value before = old.get(k);
            if (before != null && !before.equals(r.data().get(k))) {
                return true;
            }
        }
        return false;
    }

    /** The key of a row image, or null after rejecting the event. */
    private Object key(TableState ts, Row image, RowChange r, int source) {
        String[] cols = ts.keyColumns;
        if (cols.length == 1) {
            Value v = image.get(cols[0]);
            return checkKeyValue(v, cols[0], r, source) ? v : null;
        }
        Value[] values = new Value[cols.length];
        for (int i = 0; i < cols.length; i++) {
            Value v = image.get(cols[i]);
            if (!checkKeyValue(v, cols[i], r, source)) {
                return null;
            }
            values[i] = v;
        }
        return new CompositeKey(values);
    }

    private boolean checkKeyValue(Value v, String column, RowChange r, int source) {
        if (v == null) {
            reject(source, r, Rejected.Reason.MISSING_KEY, "key column \"" + column + "\" is missing from a row of " + r.table());
            return false;
        }
        if (v.isNull()) {
            reject(source, r, Rejected.Reason.NULL_KEY, "key column \"" + column + "\" is NULL in a row of " + r.table());
            return false;
        }
        return true;
    }

    private void reject(int source, RowChange r, Rejected.Reason reason, String message) {
        rejected.add(new Rejected(source, r, reason, message));
    }

    private boolean isFull(TableState ts, Row image) {
        return ts.columnCount < 0 ? assumeFullImages : image.size() >= ts.columnCount;
    }

    static Row overlay(Row base, Row over) {
        if (base == null || base.isEmpty()) {
            return over;
        }
        Row.Builder b = base.toBuilder();
        for (int i = 0; i < over.size(); i++) {
            b.put(over.name(i), over.value(i));
        }
        return b.build();
    }

    private TableState tableState(RowChange r, boolean snapshot) {
        TableId id = r.table();
        List<String> pk = r.primaryKeyColumns();
        TableState ts;
        if (!snapshot && lastRows != null && lastRows.id.equals(id)) {
            ts = lastRows;
        } else {
            ts = (snapshot ? snapshots : rows).get(id);
        }
        if (ts != null && pk != null && !ts.hasKey(pk)) {
            seal(); // the key changed without DDL in the stream: what follows is a new step
            ts = null;
        }
        if (ts == null) {
            TableShape shape = shape(id);
            List<String> keyColumns = pk != null ? pk : shape == null ? null : shape.keyColumns();
            if (keyColumns == null) {
                return null;
            }
            int columns = shape == null || shape.columns().isEmpty() ? -1 : shape.columns().size();
            ts = new TableState(id, snapshot, keyColumns.toArray(new String[0]), columns,
                    snapshot ? 0 : Math.min(1 << 20, lastKeyCounts.getOrDefault(id, 0)));
            (snapshot ? snapshots : rows).put(id, ts);
        }
        if (!snapshot) {
            lastRows = ts;
        }
        return ts;
    }

    private TableShape shape(TableId id) {
        TableShape shape = shapes.get(id);
        if (shape != null || unknown.contains(id)) {
            return shape;
        }
        Optional<TableShape> resolved = resolver.resolve(id);
        if (resolved.isPresent()) {
            shapes.put(id, resolved.get());
            return resolved.get();
        }
        unknown.add(id);
        return null;
    }

    private void learn(SchemaChange c) {
        switch (c.kind()) {
            case TABLE_CREATE:
                remember(c.def());
                break;
            case TABLE_ALTER:
                forget(c.table());
                remember(c.def());
                break;
            case TABLE_DROP:
                forget(c.table());
                break;
            case DATABASE_DROP:
                shapes.keySet().removeIf(t -> t.database().equals(c.database()));
                unknown.removeIf(t -> t.database().equals(c.database()));
                break;
            default:
                break;
        }
    }

    private void remember(TableDef def) {
        List<String> columns = new ArrayList<>(def.columns().size());
        for (ColumnDef col : def.columns()) {
            columns.add(col.name());
        }
        shapes.put(def.id(), new TableShape(def.primaryKey(), columns));
        unknown.remove(def.id());
    }

    private void forget(TableId id) {
        shapes.remove(id);
        unknown.remove(id);
    }

    /** Ends the current changes step: turns the open tables' states into net changes. */
    private void seal() {
        if (rows.isEmpty() && snapshots.isEmpty()) {
            return;
        }
        List<TableChanges> tables = new ArrayList<>(rows.size() + snapshots.size());
        for (TableState ts : rows.values()) {
            addIfAny(tables, ts.toChanges(this));
            if (ts.keys != null) {
                lastKeyCounts.put(ts.id, ts.keys.size);
            }
        }
        for (TableState ts : snapshots.values()) {
            addIfAny(tables, ts.toChanges(this));
        }
        rows.clear();
        snapshots.clear();
        lastRows = null;
        if (!tables.isEmpty()) {
            steps.add(new NetBatch.Changes(tables));
        }
    }

    private static void addIfAny(List<TableChanges> tables, TableChanges c) {
        if (!c.isEmpty()) {
            tables.add(c);
        }
    }

    // ---- state holders ----

    /** A key of several columns. */
    private static final class CompositeKey {
        final Value[] values;
        final int hash;

        CompositeKey(Value[] values) {
            this.values = values;
            this.hash = Arrays.hashCode(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CompositeKey && hash == ((CompositeKey) o).hash && Arrays.equals(values, ((CompositeKey) o).values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The fold of one key's events; also the entry of its table's {@link KeyTable}. */
    private static final class KeyState extends Sourced {
        static final byte UPSERT = 1;
        static final byte DELETE = 2;
        static final byte PARTIAL = 3;
        static final byte MOVED = 4;
        static final byte NONE = 5;
        static final long OVERHEAD = 80;

        final Object key;
        final int hash;
        byte kind;
        boolean created;
        Row image;
        Object fromKey;
        long bytes;

        KeyState(Object key, int hash) {
            this.key = key;
            this.hash = hash;
        }

        void set(byte kind, Row image, Compactor c) {
            this.kind = kind;
            this.image = image;
            long b = image == null ? 0 : image.estimatedBytes();
            c.retained += b - bytes;
            bytes = b;
        }

    }

    /**
     * The key states of one table: an open-addressing hash table with linear probing whose slots
     * hold the states themselves (no entry objects), with the hashes in a parallel array so that a
     * probe reads a state only when its hash matches: a lookup of a new key touches one array. The
     * states are also kept in arrival order, which is the order of the output and, being the order
     * they were allocated in, a sequential walk through memory.
     * Load factor at most one half; a zero hash is stored as one, so zero marks an empty slot.
     */
    private static final class KeyTable {
        int[] hashes;
        KeyState[] slots;
        /** The states in the order their keys first appeared: the output order, read sequentially. */
        KeyState[] order;
        int size;

        KeyTable(int expected) {
            int n = 16;
            while (n < expected * 2) {
                n <<= 1;
            }
            hashes = new int[n];
            slots = new KeyState[n];
            order = new KeyState[Math.max(8, expected)];
        }

        static int hash(Object key) {
            int h = key.hashCode();
            h ^= h >>> 16;
            return h == 0 ? 1 : h;
        }

        KeyState get(Object key, int hash) {
            int[] hs = hashes;
            int mask = hs.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                int h = hs[i];
                if (h == 0) {
                    return null;
                }
                if (h == hash) {
                    KeyState s = slots[i];
                    if (s.key == key || s.key.equals(key)) {
                        return s;
                    }
                }
            }
        }

        KeyState add(Object key, int hash) {
            if ((size + 1) * 2 > slots.length) {
                grow();
            }
            KeyState s = new KeyState(key, hash);
            insert(hashes, slots, s);
            if (size == order.length) {
                order = Arrays.copyOf(order, size * 2);
            }
            order[size++] = s;
            return s;
        }

        private static void insert(int[] hs, KeyState[] t, KeyState s) {
            int mask = t.length - 1;
            int i = s.hash & mask;
            while (hs[i] != 0) {
                i = (i + 1) & mask;
            }
            hs[i] = s.hash;
            t[i] = s;
        }

        private void grow() {
            int n = slots.length * 2;
            int[] hs = new int[n];
            KeyState[] t = new KeyState[n];
            for (KeyState s : slots) {
                if (s != null) {
                    insert(hs, t, s);
                }
            }
            hashes = hs;
            slots = t;
        }
    }

    /** A distinct image of a keyless table and its net count. */
    private static final class Count extends Sourced {
        int count;
    }

    /**
     * The batch-local sequence numbers of the events behind a net change, in order, without
     * repeats. The first is kept inline, since most keys and images have one or two events.
     */
    private abstract static class Sourced {
        int first;
        int[] more;
        int nsources;

        private int last() {
            return nsources == 1 ? first : more[nsources - 2];
        }

        void addSource(int s) {
            if (nsources == 0) {
                first = s;
                nsources = 1;
                return;
            }
            if (last() == s) {
                return;
            }
            if (more == null) {
                more = new int[2];
            } else if (nsources - 1 == more.length) {
                more = Arrays.copyOf(more, more.length * 2);
            }
            more[nsources - 1] = s;
            nsources++;
        }

        void addSources(Sourced other) {
            int[] all = other.sourceArray();
            for (int s : all) {
                addSource(s);
            }
            if (nsources > 1) {
                int[] sorted = sourceArray();
                Arrays.sort(sorted);
                int n = 1;
                for (int i = 1; i < sorted.length; i++) {
                    if (sorted[i] != sorted[n - 1]) {
                        sorted[n++] = sorted[i]; // an event can be behind both keys of a move
                    }
                }
                first = sorted[0];
                more = Arrays.copyOfRange(sorted, 1, Math.max(2, n));
                nsources = n;
            }
        }

        int[] sourceArray() {
            int[] out = new int[nsources];
            if (nsources > 0) {
                out[0] = first;
                if (nsources > 1) {
                    System.arraycopy(more, 0, out, 1, nsources - 1);
                }
            }
            return out;
        }
    }

    /** One table's states in the current step. */
    private static final class TableState {
        final TableId id;
        final boolean snapshot;
        final String[] keyColumns;
        final int columnCount;
        final KeyTable keys;
        final HashMap<Row, Count> counts;

        /** The last key list a row named, when it matched: most rows repeat the same list instance. */
        List<String> lastKeyList;

        TableState(TableId id, boolean snapshot, String[] keyColumns, int columnCount, int expectedKeys) {
            this.id = id;
            this.snapshot = snapshot;
            for (int i = 0; i < keyColumns.length; i++) {
                keyColumns[i] = keyColumns[i].intern(); // the decoder's column names are interned: lookups by identity
            }
            this.keyColumns = keyColumns;
            this.columnCount = columnCount;
            this.keys = keyColumns.length == 0 ? null : new KeyTable(expectedKeys);
            this.counts = keyColumns.length == 0 ? new HashMap<>() : null;
        }

        boolean keyless() {
            return keyColumns.length == 0;
        }

        boolean hasKey(List<String> pk) {
            if (pk == lastKeyList) {
                return true;
            }
            if (pk.size() != keyColumns.length) {
                return false;
            }
            for (int i = 0; i < keyColumns.length; i++) {
                if (!keyColumns[i].equals(pk.get(i))) {
                    return false;
                }
            }
            lastKeyList = pk;
            return true;
        }

        KeyState get(Object key) {
            return keys.get(key, KeyTable.hash(key));
        }

        KeyState newState(Object key, Compactor c) {
            c.retained += KeyState.OVERHEAD;
            return keys.add(key, KeyTable.hash(key));
        }

        void count(Row image, int delta, int source, Compactor c) {
            Count n = counts.get(image);
            if (n == null) {
                n = new Count();
                counts.put(image, n);
                c.retained += KeyState.OVERHEAD + image.estimatedBytes();
            }
            n.count += delta;
            n.addSource(source);
        }

        Row withoutKey(Row image) {
            Row.Builder b = Row.builder();
            for (int i = 0; i < image.size(); i++) {
                String name = image.name(i);
                if (!isKeyColumn(name)) {
                    b.put(name, image.value(i));
                }
            }
            return b.build();
        }

        private boolean isKeyColumn(String name) {
            for (String k : keyColumns) {
                if (k.equals(name)) {
                    return true;
                }
            }
            return false;
        }

        Row keyRow(Object key) {
            if (keyColumns.length == 1) {
                return Row.wrap(keyColumns, new Value[] {(Value) key});
            }
            return Row.wrap(keyColumns, ((CompositeKey) key).values.clone());
        }

        TableChanges toChanges(Compactor c) {
            int size = keys == null ? 0 : keys.size;
            List<NetChange.Upsert> upserts = new ArrayList<>(size);
            List<NetChange.Delete> deletes = new ArrayList<>(Math.max(10, size / 4));
            List<NetChange.Move> moves = new ArrayList<>();
            List<NetChange.KeylessDelta> plus = new ArrayList<>();
            List<NetChange.KeylessDelta> minus = new ArrayList<>();
            Map<List<String>, List<NetChange.Partial>> partials = new TreeMap<>(Compactor::compareNames);
            if (keys != null) {
                KeyState[] order = keys.order;
                for (int i = 0; i < keys.size; i++) {
                    KeyState st = order[i];
                    switch (st.kind) {
                        case KeyState.UPSERT:
                            upserts.add(new NetChange.Upsert(st.image, st.sourceArray(), st.created));
                            break;
                        case KeyState.DELETE:
                            deletes.add(new NetChange.Delete(keyRow(st.key), st.sourceArray()));
                            break;
                        case KeyState.PARTIAL:
                            if (!st.image.isEmpty()) {
                                partials.computeIfAbsent(sortedNames(st.image), k -> new ArrayList<>())
                                        .add(new NetChange.Partial(keyRow(st.key), st.image, st.sourceArray()));
                            }
                            break;
                        case KeyState.MOVED:
                            moves.add(new NetChange.Move(keyRow(st.fromKey), keyRow(st.key), st.image, st.sourceArray()));
                            break;
                        default:
                            break;
                    }
                }
            } else {
                for (Map.Entry<Row, Count> e : counts.entrySet()) {
                    Count n = e.getValue();
                    if (n.count != 0) {
                        NetChange.KeylessDelta d = new NetChange.KeylessDelta(e.getKey(), Math.abs(n.count), n.sourceArray());
                        (n.count > 0 ? plus : minus).add(d);
                        c.netKeylessRows += Math.abs(n.count);
                    }
                }
            }
            List<TableChanges.PartialGroup> groups = new ArrayList<>(partials.size());
            for (Map.Entry<List<String>, List<NetChange.Partial>> e : partials.entrySet()) {
                groups.add(new TableChanges.PartialGroup(e.getKey(), e.getValue()));
                c.netPartials += e.getValue().size();
            }
            c.netUpserts += upserts.size();
            c.netDeletes += deletes.size();
            c.netMoves += moves.size();
            return new TableChanges(id, snapshot, Arrays.asList(keyColumns), upserts, deletes, groups, moves, plus, minus);
        }
    }

    private static List<String> sortedNames(Row row) {
        String[] names = new String[row.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = row.name(i);
        }
        Arrays.sort(names);
        return Arrays.asList(names);
    }

    private static int compareNames(List<String> a, List<String> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Configures a {@link Compactor}. Not thread-safe. */
    public static final class Builder {
        private KeyResolver resolver = KeyResolver.NONE;
        private boolean assumeFullImages = true;

        private Builder() {}

        /**
         * Where keys come from for tables the stream does not describe, typically the target's
         * catalog.
         *
         * @param resolver the resolver, never null
         * @return this builder
         */
        public Builder keyResolver(KeyResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Whether an update's image counts as the full row when the table's columns are not
         * known (no DDL in the stream, no resolver). True suits {@code binlog_row_image=FULL},
         * Maxwell's usual setting; set false for MINIMAL so that such updates set only the
         * columns they hold. Default true.
         *
         * @param assume whether to take images as full
         * @return this builder
         */
        public Builder assumeFullImages(boolean assume) {
            this.assumeFullImages = assume;
            return this;
        }

        /** @return the compactor, never null */
        public Compactor build() {
            return new Compactor(this);
        }
    }
}
