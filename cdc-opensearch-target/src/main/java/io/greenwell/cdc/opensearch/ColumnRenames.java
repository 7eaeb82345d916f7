package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.event.TableDef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The columns an {@code ALTER TABLE} renamed, read from its statement ({@code CHANGE [COLUMN] a b
 * ...}, {@code RENAME COLUMN a TO b}), and kept only where the table definitions before and after
 * agree: {@code a} existed and is gone, {@code b} is new. Maxwell's definitions alone cannot tell a
 * rename from a drop and an add.
 */
final class ColumnRenames {

    private static final String NAME = "(`(?:[^`]|``)+`|[\\p{L}\\p{N}_$]+)";
    private static final Pattern CHANGE = Pattern.compile("(?i)\\bCHANGE\\s+(?:COLUMN\\s+)?" + NAME + "\\s+" + NAME);
    private static final Pattern RENAME = Pattern.compile("(?i)\\bRENAME\\s+COLUMN\\s+" + NAME + "\\s+TO\\s+" + NAME);

    private ColumnRenames() {}

    /**
     * @param sql the statement, or null
     * @param before the table before it, never null
     * @param after the table after it, never null
     * @return old name to new name, in statement order; never null
     */
    static Map<String, String> of(String sql, TableDef before, TableDef after) {
        Map<String, String> out = new LinkedHashMap<>();
        if (sql == null) {
            return out;
        }
        for (Pattern p : new Pattern[] {CHANGE, RENAME}) {
            Matcher m = p.matcher(sql);
            while (m.find()) {
                String a = unquote(m.group(1));
                String b = unquote(m.group(2));
                String oldName = exact(before, a);
                String newName = exact(after, b);
                // after.column / before.column match case exactly: CHANGE a A is a rename too
                if (oldName != null && newName != null && !oldName.equals(newName) && after.column(oldName) == null
                        && before.column(newName) == null) {
                    out.put(oldName, newName);
                }
            }
        }
        return out;
    }

    private static String unquote(String n) {
        return n.startsWith("`") ? n.substring(1, n.length() - 1).replace("``", "`") : n;
    }

    /** The column's name as the table spells it (MySQL column names ignore case), or null. */
    private static String exact(TableDef t, String name) {
        for (var c : t.columns()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c.name();
            }
        }
        return null;
    }
}
