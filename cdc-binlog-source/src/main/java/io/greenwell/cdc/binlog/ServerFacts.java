package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import java.nio.charset.Charset;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What the source reads from the server over SQL before it reads the binlog: the settings it
 * needs (refused with a message naming the setting), the binlog's base name and current end, the
 * files still on the server, and the character set of every collation id.
 */
final class ServerFacts {

    final String version;
    final boolean mariadb;
    final String basename;
    /** The binlog's current end: where a source without a checkpoint starts. */
    final BinlogPosition end;
    /** The binlog files the server still has, by number. */
    final Set<Long> files;
    final String rowImage;
    /** {@code character_set_server}: what a database created without a charset gets. */
    final String serverCharset;
    private final Map<Integer, String> charsetOfCollation;

    private ServerFacts(String version, boolean mariadb, String basename, BinlogPosition end, Set<Long> files, String rowImage,
            String serverCharset, Map<Integer, String> charsetOfCollation) {
        this.serverCharset = serverCharset;
        this.version = version;
        this.mariadb = mariadb;
        this.basename = basename;
        this.end = end;
        this.files = files;
        this.rowImage = rowImage;
        this.charsetOfCollation = charsetOfCollation;
    }

    /** @return a plain SQL connection to the server */
    static Connection connect(String host, int port, String user, String password) throws SQLException {
        return connect(host, port, user, password, "");
    }

    /** @param options the URL's options ({@code a=b&c=d}), or empty */
    static Connection connect(String host, int port, String user, String password, String options) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:mariadb://" + host + ":" + port + "/" + (options.isEmpty() ? "" : "?" + options), p);
    }

    /** @return the binlog's current end ({@code SHOW MASTER STATUS}) */
    static BinlogPosition end(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new CdcException("SHOW MASTER STATUS returned nothing: binary logging is off, or the user lacks REPLICATION CLIENT"
                        + " (GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO the user)");
            }
            return new BinlogPosition(BinlogPosition.fileNumber(rs.getString(1)), rs.getLong(2));
        }
    }

    static ServerFacts read(String host, int port, String user, String password) {
        try (Connection c = connect(host, port, user, password); Statement st = c.createStatement()) {
            Map<String, String> vars = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin', 'binlog_format',"
                    + " 'binlog_row_metadata', 'binlog_row_image', 'binlog_transaction_compression', 'log_bin_compress', 'binlog_row_value_options',"
                    + " 'character_set_server')")) {
                while (rs.next()) {
                    vars.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
                }
            }
            String version = vars.getOrDefault("version", "");
            boolean mariadb = version.toLowerCase(Locale.ROOT).contains("mariadb");
            require(vars, "log_bin", "ON", "binary logging is off: start the server with --log-bin (and --server-id)");
            require(vars, "binlog_format", "ROW", "binlog_format is " + vars.get("binlog_format")
                    + ": the binlog source reads row events only; set binlog_format=ROW (SET GLOBAL binlog_format = 'ROW', and in the server's config)");
            if (!vars.containsKey("binlog_row_metadata")) {
                throw new CdcException("the server has no binlog_row_metadata setting (" + version
                        + "): the binlog source needs binlog_row_metadata=FULL, which MySQL 8.0.1 and MariaDB 10.5 added");
            }
            require(vars, "binlog_row_metadata", "FULL", "binlog_row_metadata is " + vars.get("binlog_row_metadata")
                    + ": set binlog_row_metadata=FULL, so that every table map carries the column names, the key, signedness and character sets");
            if ("ON".equalsIgnoreCase(vars.get("binlog_transaction_compression"))) {
                throw new CdcException("binlog_transaction_compression is ON: the binlog source cannot read compressed transactions yet; set it OFF");
            }
            if ("ON".equalsIgnoreCase(vars.get("log_bin_compress"))) {
                throw new CdcException("log_bin_compress is ON: the binlog source cannot read compressed events yet; set it OFF");
            }
            if (vars.get("binlog_row_value_options") != null && !vars.get("binlog_row_value_options").isBlank()) {
                throw new CdcException("binlog_row_value_options is " + vars.get("binlog_row_value_options")
                        + ": partial JSON updates carry no whole values; set binlog_row_value_options=''");
            }
            String basename;
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                String file = rs.next() ? rs.getString(1) : "";
                basename = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
            }
            BinlogPosition end = end(c);
            Set<Long> files = new HashSet<>();
            try (ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next()) {
                    files.add(BinlogPosition.fileNumber(rs.getString(1)));
                }
            }
            Map<Integer, String> charsets = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE ID IS NOT NULL")) {
                while (rs.next()) {
                    charsets.put(rs.getInt(1), rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
            if (mariadb) {
                // MariaDB 10.10+ lists each uca1400 collation once in COLLATIONS, without an id: the id per character set is here
                try (ResultSet rs = st.executeQuery("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY"
                        + " WHERE ID IS NOT NULL")) {
                    while (rs.next()) {
                        charsets.putIfAbsent(rs.getInt(1), rs.getString(2).toLowerCase(Locale.ROOT));
                    }
                } catch (SQLException e) {
                    // before 10.10 the table has no ID column, and COLLATIONS has every id
                }
            }
            return new ServerFacts(version, mariadb, basename, end, files, vars.getOrDefault("binlog_row_image", "FULL").toUpperCase(Locale.ROOT),
                    vars.getOrDefault("character_set_server", "utf8mb4").toLowerCase(Locale.ROOT), charsets);
        } catch (SQLException e) {
            throw new CdcException("cannot read the settings of the MySQL server at " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static void require(Map<String, String> vars, String name, String want, String message) {
        String v = vars.get(name);
        if (v == null || !(v.equalsIgnoreCase(want) || (want.equals("ON") && v.equals("1")))) {
            throw new CdcException(message);
        }
    }

    /**
     * @param collation a collation id from a table map
     * @return the Java charset of its character set, or null for {@code binary}
     */
    Charset charset(int collation) {
        String name = charsetOfCollation.get(collation);
        if (name == null) {
            throw new CdcException("the server names no character set for collation id " + collation);
        }
        return javaCharset(name);
    }

    /**
     * MySQL's character set names as Java's; {@code latin1} is Windows-1252 in MySQL, as in Maxwell.
     *
     * @return the charset, or null for {@code binary}
     */
    static Charset javaCharset(String mysql) {
        switch (mysql) {
            case "binary": return null;
            case "utf8": case "utf8mb3": case "utf8mb4": return java.nio.charset.StandardCharsets.UTF_8;
            case "latin1": case "ascii": return Charset.forName("windows-1252");
            case "ucs2": case "utf16": return java.nio.charset.StandardCharsets.UTF_16BE;
            case "utf16le": return java.nio.charset.StandardCharsets.UTF_16LE;
            case "utf32": return Charset.forName("UTF-32BE");
            case "ujis": return Charset.forName("EUC-JP");
            case "sjis": return Charset.forName("Shift_JIS");
            case "cp932": return Charset.forName("windows-31j");
            case "eucjpms": return Charset.forName("x-eucJP-Open");
            case "euckr": return Charset.forName("EUC-KR");
            case "gb2312": return Charset.forName("GB2312");
            case "gbk": return Charset.forName("GBK");
            case "gb18030": return Charset.forName("GB18030");
            case "big5": return Charset.forName("Big5");
            case "latin2": return Charset.forName("ISO-8859-2");
            case "latin5": return Charset.forName("ISO-8859-9");
            case "latin7": return Charset.forName("ISO-8859-13");
            case "greek": return Charset.forName("ISO-8859-7");
            case "hebrew": return Charset.forName("ISO-8859-8");
            case "koi8r": return Charset.forName("KOI8-R");
            case "koi8u": return Charset.forName("KOI8-U");
            case "tis620": return Charset.forName("TIS-620");
            default:
                try {
                    return Charset.forName(mysql);
                } catch (RuntimeException e) {
                    throw new CdcException("MySQL character set " + mysql + " has no Java equivalent here", e);
                }
        }
    }
}
