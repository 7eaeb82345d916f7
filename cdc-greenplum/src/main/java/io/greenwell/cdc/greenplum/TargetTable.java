package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.event.Row;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A target table as the catalog describes it: its columns in order, each with the value writer
 * chosen for its type, and its primary key. Maps the column names of a row to column positions,
 * remembering the last few row shapes (rows of one table normally share their names array).
 * Replaced, not changed, when DDL touches the table.
 */
final class TargetTable {

    /** One column of the target table. */
    record Column(String name, String typname, String type, int typmod, boolean notNull, ValueWriter writer) {}

    final String schema;
    final String name;
    final String qualified;
    final List<Column> columns;
    /** The columns' names, in table order. */
    final List<String> columnNames;
    /** Target names of the primary-key columns, in key order; empty without a key. */
    final List<String> primaryKey;
    /**
     * True when a row copied in is checked against the primary key at once and touches nothing
     * else: the key is not deferred, and the table has no trigger (foreign keys are triggers
     * too), rule or child table. Only such a table takes the rows a batch created by COPY.
     */
    final boolean plainKeyed;
    private final Map<String, Integer> positions = new HashMap<>();

    private static final int SHAPES = 4;
    /**
     * The column names of the last row shapes seen. Names, not rows: a row may read its values from
     * a large buffer of records, which a kept row would keep alive.
     */
    private final String[][] shapes = new String[SHAPES][];
    private final int[][] shapeMaps = new int[SHAPES][];
    private int nextShape;

    TargetTable(String schema, String name, List<Column> columns, List<String> primaryKey) {
        this(schema, name, columns, primaryKey, false);
    }

    TargetTable(String schema, String name, List<Column> columns, List<String> primaryKey, boolean plainKeyed) {
        this.plainKeyed = plainKeyed && !primaryKey.isEmpty();
        this.schema = schema;
        this.name = name;
        this.qualified = Names.qualify(schema, name);
        this.columns = List.copyOf(columns);
        this.columnNames = this.columns.stream().map(Column::name).toList();
        this.primaryKey = List.copyOf(primaryKey);
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name(), i);
        }
    }

    /**
     * @param other another reading of a table, never null
     * @return true when both have the same name, key and columns (names, types, NOT NULL), so that
     *     what was built for one serves the other
     */
    boolean sameDefinition(TargetTable other) {
        if (!schema.equals(other.schema) || !name.equals(other.name) || !primaryKey.equals(other.primaryKey)
                || columns.size() != other.columns.size()) {
            return false;
        }
        for (int i = 0; i < columns.size(); i++) {
            Column a = columns.get(i);
            Column b = other.columns.get(i);
            if (!a.name().equals(b.name()) || !a.type().equals(b.type()) || a.typmod() != b.typmod() || a.notNull() != b.notNull()) {
                return false;
            }
        }
        return true;
    }

    /** @return true when the row has a value for every column of the table, and no other */
    boolean covers(Row r) {
        if (r.size() != columns.size()) {
            return false;
        }
        for (int p : map(r)) {
            if (p < 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the names of the columns at the positions set in {@code b}, in table order */
    List<String> columnNames(BitSet b) {
        List<String> out = new ArrayList<>(b.cardinality());
        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) {
            out.add(columns.get(i).name());
        }
        return out;
    }

    /**
     * @param mysqlColumn a MySQL column name, never null
     * @return the position of its target column, or -1 when the table has no such column
     */
    int position(String mysqlColumn) {
        Integer p = positions.get(Names.target(mysqlColumn));
        return p == null ? -1 : p;
    }

    /**
     * @param row a row of this table, never null
     * @return for each of the row's columns, the target position (-1 for a column the table lacks);
     *     owned by this table, do not modify
     */
    int[] map(Row row) {
        for (int s = 0; s < SHAPES; s++) {
            String[] shape = shapes[s];
            if (shape != null && sameNames(shape, row)) {
                return shapeMaps[s];
            }
        }
        int[] m = new int[row.size()];
        String[] names = new String[row.size()];
        for (int i = 0; i < m.length; i++) {
            names[i] = row.name(i);
            m[i] = position(names[i]);
        }
        int s = nextShape;
        nextShape = (nextShape + 1) % SHAPES;
        shapes[s] = names;
        shapeMaps[s] = m;
        return m;
    }

    private static boolean sameNames(String[] a, Row b) {
        int n = a.length;
        if (n != b.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            String x = a[i];
            String y = b.name(i);
            if (x != y && !x.equals(y)) {
                return false;
            }
        }
        return true;
    }
}
