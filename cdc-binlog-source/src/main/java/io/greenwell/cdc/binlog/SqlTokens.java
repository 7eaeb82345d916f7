package io.greenwell.cdc.binlog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A MySQL statement as tokens, for {@link DdlReader}: words (bare or {@code `quoted`}), strings
 * ({@code '...'} and {@code "..."}, with doubled quotes and backslash escapes), numbers and single
 * punctuation characters. Comments are dropped, except the versioned ones ({@code /*!40100 ... *}{@code /},
 * MariaDB's {@code /*M!100100 ... *}{@code /}), whose content the server runs and so is read as
 * statement text. A cursor over the tokens with the few look-ahead helpers a recursive-descent
 * parser needs.
 */
final class SqlTokens {

    enum Kind { WORD, QUOTED, STRING, NUMBER, SYMBOL, END }

    record Token(Kind kind, String text) {
        /** @return whether this is the bare keyword {@code word}, in any case */
        boolean is(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean isSymbol(char c) {
            return kind == Kind.SYMBOL && text.charAt(0) == c;
        }

        /** @return whether this names something: a bare or quoted word */
        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED;
        }
    }

    private static final Token END = new Token(Kind.END, "");

    private final List<Token> tokens;
    private int at;

    SqlTokens(String sql) {
        this.tokens = tokenize(sql);
    }

    Token peek() {
        return peek(0);
    }

    Token peek(int ahead) {
        int i = at + ahead;
        return i < tokens.size() ? tokens.get(i) : END;
    }

    Token next() {
        return at < tokens.size() ? tokens.get(at++) : END;
    }

    /** Steps back one token. */
    void prev() {
        if (at > 0) {
            at--;
        }
    }

    boolean atEnd() {
        return at >= tokens.size();
    }

    /** Takes the bare keyword if it comes next. */
    boolean accept(String word) {
        if (peek().is(word)) {
            at++;
            return true;
        }
        return false;
    }

    /** Takes the keywords if they all come next, in order; takes nothing otherwise. */
    boolean accept(String... words) {
        for (int i = 0; i < words.length; i++) {
            if (!peek(i).is(words[i])) {
                return false;
            }
        }
        at += words.length;
        return true;
    }

    boolean acceptSymbol(char c) {
        if (peek().isSymbol(c)) {
            at++;
            return true;
        }
        return false;
    }

    /** Skips a balanced parenthesised group, the opening parenthesis next. */
    void skipGroup() {
        int depth = 0;
        do {
            Token t = next();
            if (t.kind == Kind.END) {
                return;
            }
            if (t.isSymbol('(')) {
                depth++;
            } else if (t.isSymbol(')')) {
                depth--;
            }
        } while (depth > 0);
    }

    /** Skips to the next comma or closing parenthesis at this depth (not taking it), or to the end. */
    void skipItem() {
        while (!atEnd()) {
            Token t = peek();
            if (t.isSymbol(',') || t.isSymbol(')') || t.isSymbol(';')) {
                return;
            }
            if (t.isSymbol('(')) {
                skipGroup();
            } else {
                at++;
            }
        }
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || (c == '-' && i + 2 <= n && s.startsWith("--", i) && (i + 2 == n || Character.isWhitespace(s.charAt(i + 2))))) {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && s.startsWith("/*", i)) {
                int body = i + 2;
                boolean versioned = false;
                if (body < n && s.charAt(body) == '!') {
                    versioned = true;
                    body++;
                } else if (s.startsWith("M!", body)) {
                    versioned = true;
                    body += 2;
                }
                if (versioned) {
                    while (body < n && Character.isDigit(s.charAt(body))) {
                        body++;
                    }
                    i = body; // the content is statement text; its closing */ is dropped below
                } else {
                    int close = s.indexOf("*/", body);
                    i = close < 0 ? n : close + 2;
                }
            } else if (c == '*' && s.startsWith("*/", i)) {
                i += 2; // the end of a versioned comment
            } else if (c == '`') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d == '`') {
                        if (i < n && s.charAt(i) == '`') {
                            b.append('`');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        b.append(d);
                    }
                }
                out.add(new Token(Kind.QUOTED, b.toString()));
            } else if (c == '\'' || c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n) {
                    char d = s.charAt(i++);
                    if (d == '\\' && i < n) {
                        char e = s.charAt(i++);
                        b.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            case '0' -> '\0';
                            case 'Z' -> '\u001a';
                            case 'b' -> '\b';
                            default -> e;
                        });
                    } else if (d == c) {
                        if (i < n && s.charAt(i) == c) {
                            b.append(c);
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        b.append(d);
                    }
                }
                out.add(new Token(Kind.STRING, b.toString()));
            } else if (Character.isDigit(c) && !startsWord(s, i)) {
                int start = i;
                while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(start, i)));
            } else if (isWordChar(c)) {
                int start = i;
                while (i < n && isWordChar(s.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.WORD, s.substring(start, i)));
            } else {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c)));
                i++;
            }
        }
        return out;
    }

    /** A bare name may begin with digits (MySQL allows {@code 1st_table}): a digit run followed by a letter or {@code _}. */
    private static boolean startsWord(String s, int i) {
        int j = i;
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
            j++;
        }
        return j < s.length() && isWordChar(s.charAt(j)) && !Character.isDigit(s.charAt(j))
                && !(s.charAt(j) == 'e' || s.charAt(j) == 'E');
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
