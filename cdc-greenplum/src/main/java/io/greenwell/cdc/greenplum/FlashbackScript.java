package io.greenwell.cdc.greenplum;

import java.util.Objects;

/**
 * A MySQL script that undoes archived change events, newest first, in one transaction: a header
 * comment that says what it undoes, {@code SET NAMES utf8mb4}, {@code SET time_zone = '+00:00'},
 * {@code START TRANSACTION}, one statement per event, {@code COMMIT}. Every statement is on a line
 * of its own, preceded by a comment line naming the event it undoes; no literal spans lines.
 *
 * <p>The script means the same whatever the session's {@code NO_BACKSLASH_ESCAPES} and
 * {@code ANSI_QUOTES} say: strings that hold a backslash or a control character are written as hex
 * literals, identifiers in backticks.
 *
 * @param sql the script text, never null
 * @param statements how many statements undo events (the {@code SET}, transaction and comment
 *     lines not counted)
 * @param guarded how many of them are guarded {@code UPDATE}s: each changes its row only while the
 *     columns that the event changed still hold the values the event gave them, so one that
 *     matches no row (0 rows affected) found the row changed or deleted since and left it alone
 */
public record FlashbackScript(String sql, int statements, int guarded) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a count is negative or more statements are guarded than
     *     there are
     */
    public FlashbackScript {
        Objects.requireNonNull(sql, "sql");
        if (statements < 0 || guarded < 0 || guarded > statements) {
            throw new IllegalArgumentException("bad counts: " + statements + " statements, " + guarded + " guarded");
        }
    }
}
