package io.greenwell.cdc.greenplum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads what Maxwell's {@code def} leaves out (lengths, precision, scale, bit widths) from the
 * text of a MySQL {@code CREATE TABLE}. A small lexer (backquoted, double-quoted and bare names;
 * strings; comments, versioned comments read as their content) and a parser of the column list:
 * for every column, its type name, the arguments in parentheses and whether it is unsigned.
 * Anything it cannot read yields no entry, and the caller falls back to an unconstrained type.
 */
final class MysqlDdl {

    /**
     * A column type as the statement writes it.
     *
     * @param defaultValue the column's {@code DEFAULT} when it is a constant (a number's text, or a string's value), else null
     * @param defaultQuoted whether that default is a string
     */
    record ColumnType(String name, List<String> args, boolean unsigned, String defaultValue, boolean defaultQuoted) {
        ColumnType(String name, List<String> args, boolean unsigned) {
            this(name, args, unsigned, null, false);
        }

        /** @return the i-th argument as an integer, or -1 when absent or not a number */
        int intArg(int i) {
            if (i >= args.size()) {
                return -1;
            }
            try {
                return Integer.parseInt(args.get(i).trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** What a CREATE TABLE statement says. */
    record CreateTable(Map<String, ColumnType> columns, String likeDatabase, String likeTable) {
        /**
         * @param column a column name, any case (MySQL column names are case-insensitive)
         * @return its type, or null when the statement does not say
         */
        ColumnType column(String column) {
            return columns.get(column.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * What an ALTER TABLE statement says about columns.
     *
     * @param renames old name (lower case) to new name, from {@code CHANGE [COLUMN] a b} and
     *     {@code RENAME COLUMN a TO b}
     * @param columns the types of the columns it adds, modifies or changes, by name (lower case)
     */
    record AlterTable(Map<String, String> renames, Map<String, ColumnType> columns) {
        /** @return the type the statement gives the column, or null */
        ColumnType column(String column) {
            return columns.get(column.toLowerCase(Locale.ROOT));
        }

        /** @return the new name of a renamed column, or null */
        String renamed(String column) {
            return renames.get(column.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * @param sql a MySQL ALTER TABLE (or RENAME TABLE) statement, may be null
     * @return the renames and column types it holds; empty when it cannot be read; never null
     */
    static AlterTable parseAlter(String sql) {
        Map<String, String> renames = new LinkedHashMap<>();
        Map<String, ColumnType> cols = new LinkedHashMap<>();
        if (sql == null) {
            return new AlterTable(renames, cols);
        }
        List<Token> t = lex(sql);
        int i = 0;
        while (i < t.size() && !t.get(i).isWord("table")) {
            i++;
        }
        if (i >= t.size() || i == 0 || !t.get(i - 1).isWord("alter")) {
            return new AlterTable(renames, cols);
        }
        i = skipName(t, i + 1);
        while (i < t.size()) {
            int end = defEnd(t, i);
            clause(t, i, end, renames, cols);
            if (end >= t.size() || t.get(end).is(")")) {
                break;
            }
            i = end + 1;
        }
        return new AlterTable(renames, cols);
    }

    private static void clause(List<Token> t, int from, int to, Map<String, String> renames, Map<String, ColumnType> cols) {
        if (from >= to) {
            return;
        }
        Token verb = t.get(from);
        int i = from + 1;
        if (verb.isWord("add") || verb.isWord("modify") || verb.isWord("change")) {
            if (i < to && t.get(i).isWord("column")) {
                i++;
            }
            if (verb.isWord("add") && i < to && t.get(i).is("(")) {
                // ADD [COLUMN] (a int, b text)
                int j = i + 1;
                while (j < to) {
                    int e = defEnd(t, j);
                    columnDef(t, j, Math.min(e, to), cols);
                    if (e >= to || t.get(e).is(")")) {
                        break;
                    }
                    j = e + 1;
                }
                return;
            }
            if (i + 1 < to && t.get(i + 1).isWord("exists") && t.get(i).isWord("if")) {
                i += 2;
            }
            if (verb.isWord("change")) {
                if (i + 1 >= to) {
                    return;
                }
                renames.put(t.get(i).lower(), t.get(i + 1).text);
                i++;
            }
            columnDef(t, i, to, cols);
        } else if (verb.isWord("rename") && i + 3 < to && t.get(i).isWord("column") && t.get(i + 2).isWord("to")) {
            renames.put(t.get(i + 1).lower(), t.get(i + 3).text);
        }
    }

    private static final Set<String> NOT_COLUMNS = Set.of(
            "primary", "key", "index", "unique", "constraint", "foreign", "fulltext", "spatial", "check", "period");

    private MysqlDdl() {}

    /**
     * @param sql a MySQL CREATE TABLE statement, may be null
     * @return what it says about the columns; empty when it cannot be read; never null
     */
    static CreateTable parseCreateTable(String sql) {
        if (sql == null) {
            return new CreateTable(Map.of(), null, null);
        }
        List<Token> t = lex(sql);
        int i = 0;
        // CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name
        while (i < t.size() && !t.get(i).isWord("table")) {
            i++;
        }
        i++;
        if (i + 2 < t.size() && t.get(i).isWord("if") && t.get(i + 1).isWord("not") && t.get(i + 2).isWord("exists")) {
            i += 3;
        }
        i = skipName(t, i);
        if (i >= t.size()) {
            return new CreateTable(Map.of(), null, null);
        }
        if (t.get(i).isWord("like") || (t.get(i).is("(") && i + 1 < t.size() && t.get(i + 1).isWord("like"))) {
            int n = t.get(i).is("(") ? i + 2 : i + 1;
            if (n < t.size()) {
                String first = t.get(n).text;
                if (n + 2 < t.size() && t.get(n + 1).is(".")) {
                    return new CreateTable(Map.of(), first, t.get(n + 2).text);
                }
                return new CreateTable(Map.of(), null, first);
            }
            return new CreateTable(Map.of(), null, null);
        }
        Map<String, ColumnType> cols = new LinkedHashMap<>();
        if (!t.get(i).is("(")) {
            return new CreateTable(cols, null, null);
        }
        i++;
        while (i < t.size()) {
            int end = defEnd(t, i);
            columnDef(t, i, end, cols);
            if (end >= t.size() || t.get(end).is(")")) {
                break;
            }
            i = end + 1;
        }
        return new CreateTable(cols, null, null);
    }

    /** Reads one column definition between {@code from} and {@code to} (exclusive) into {@code out}. */
    private static void columnDef(List<Token> t, int from, int to, Map<String, ColumnType> out) {
        if (from + 1 >= to) {
            return;
        }
        Token name = t.get(from);
        if (!name.quoted && NOT_COLUMNS.contains(name.lower())) {
            return;
        }
        Token type = t.get(from + 1);
        if (type.quoted || type.isPunct()) {
            return;
        }
        String typeName = type.lower();
        int i = from + 2;
        // two-word types: double precision, long varbinary, character varying, national char ...
        if (i < to && !t.get(i).quoted && !t.get(i).isPunct()) {
            String next = t.get(i).lower();
            if ((typeName.equals("double") && next.equals("precision"))
                    || (typeName.equals("character") && next.equals("varying"))
                    || (typeName.equals("long") && (next.equals("varbinary") || next.equals("varchar")))
                    || (typeName.equals("national") && (next.equals("char") || next.equals("varchar")))) {
                typeName = typeName.equals("national") ? next : typeName + " " + next;
                i++;
            }
        }
        List<String> args = new ArrayList<>();
        if (i < to && t.get(i).is("(")) {
            StringBuilder arg = new StringBuilder();
            int depth = 0;
            for (i = i + 1; i < to; i++) {
                Token a = t.get(i);
                if (a.is("(")) {
                    depth++;
                } else if (a.is(")")) {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (a.is(",") && depth == 0) {
                    args.add(arg.toString());
                    arg.setLength(0);
                    continue;
                }
                arg.append(a.text);
            }
            args.add(arg.toString());
            i++;
        }
        boolean unsigned = false;
        String dflt = null;
        boolean quoted = false;
        for (; i < to; i++) {
            if (t.get(i).isWord("unsigned")) {
                unsigned = true;
            } else if (t.get(i).isWord("default") && i + 1 < to) {
                Token v = t.get(i + 1);
                if (v.string) {
                    dflt = v.text;
                    quoted = true;
                } else {
                    dflt = number(t, i + 1, to); // NULL, CURRENT_TIMESTAMP, b'1', expressions: none
                }
            }
        }
        out.put(name.text.toLowerCase(Locale.ROOT), new ColumnType(typeName, List.copyOf(args), unsigned, dflt, quoted));
    }

    /** A number as MySQL writes one: a sign, digits, a fraction, an exponent. */
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile(
            "[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    /**
     * @return the number written from token {@code i} on ({@code -1.25}, {@code 1.5e-3}: the lexer splits it at the dot and the
     *     exponent's sign), or null when the tokens there are not exactly a number
     */
    private static String number(List<Token> t, int i, int to) {
        StringBuilder b = new StringBuilder();
        for (int k = i; k < to && k < i + 6; k++) {
            Token x = t.get(k);
            if (x.quoted || x.string) {
                break;
            }
            String s = x.text;
            char last = b.length() == 0 ? ' ' : b.charAt(b.length() - 1);
            boolean part = s.equals(".") || (Character.isDigit(s.charAt(0)) && s.chars().allMatch(Character::isLetterOrDigit))
                    || ((s.equals("-") || s.equals("+")) && (b.length() == 0 || last == 'e' || last == 'E'));
            if (!part) {
                break;
            }
            b.append(s);
        }
        return b.length() > 0 && NUMBER.matcher(b).matches() ? b.toString() : null;
    }

    /** @return the index of the comma or closing parenthesis that ends the definition starting at i */
    private static int defEnd(List<Token> t, int i) {
        int depth = 0;
        for (; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.is("(")) {
                depth++;
            } else if (k.is(")")) {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (k.is(",") && depth == 0) {
                return i;
            }
        }
        return i;
    }

    private static int skipName(List<Token> t, int i) {
        i++;
        while (i + 1 < t.size() && t.get(i).is(".")) {
            i += 2;
        }
        return i;
    }

    /** A lexical token: a name, a word, a string or a punctuation character. */
    private static final class Token {
        final String text;
        final boolean quoted;
        final boolean string;

        Token(String text, boolean quoted, boolean string) {
            this.text = text;
            this.quoted = quoted;
            this.string = string;
        }

        boolean is(String punct) {
            return !quoted && !string && text.equals(punct);
        }

        boolean isWord(String word) {
            return !quoted && !string && text.equalsIgnoreCase(word);
        }

        boolean isPunct() {
            return !quoted && !string && text.length() == 1 && !Character.isLetterOrDigit(text.charAt(0)) && text.charAt(0) != '_';
        }

        String lower() {
            return text.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * MySQL's escape sequences in strings ({@code \n}, {@code \0}, ...); {@code \%} and {@code \_} stay as
     * they are, and any other character stands for itself.
     */
    private static String unescaped(char c) {
        return switch (c) {
            case '0' -> "\0";
            case 'b' -> "\b";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'Z' -> "\u001a";
            case '%', '_' -> "\\" + c;
            default -> String.valueOf(c);
        };
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || (c == '-' && i + 2 < n && s.charAt(i + 1) == '-' && Character.isWhitespace(s.charAt(i + 2)))) {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                if (i + 2 < n && s.charAt(i + 2) == '!') {
                    // versioned comment: its content counts; skip the marker and version digits
                    i += 3;
                    while (i < n && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                } else {
                    int end = s.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                }
            } else if (c == '*' && i + 1 < n && s.charAt(i + 1) == '/') {
                i += 2;
            } else if (c == '`' || c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && s.charAt(i + 1) == c) {
                            sb.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (d == '\\' && c != '`' && i + 1 < n) {
                        sb.append(unescaped(s.charAt(i + 1)));
                        i += 2;
                        continue;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(sb.toString(), c != '\'', c == '\''));
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7F) {
                int start = i;
                while (i < n) {
                    char d = s.charAt(i);
                    if (!(Character.isLetterOrDigit(d) || d == '_' || d == '$' || d > 0x7F)) {
                        break;
                    }
                    i++;
                }
                out.add(new Token(s.substring(start, i), false, false));
            } else {
                out.add(new Token(String.valueOf(c), false, false));
                i++;
            }
        }
        return out;
    }
}
