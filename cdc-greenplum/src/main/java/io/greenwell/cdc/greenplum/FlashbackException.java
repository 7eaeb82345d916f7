package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.CdcException;

/**
 * An archived event cannot be undone by a MySQL statement: a DDL record or a bootstrap record
 * among the events, a table the target does not know, a deleted row whose image lacks columns
 * (Maxwell's MINIMAL row image), an update without its previous values, a value that does not fit
 * its column. The message names the event: its stream, offset, binlog position, type and table.
 */
public class FlashbackException extends CdcException {

    private static final long serialVersionUID = 1L;

    private final transient ArchivedEvent event;
    private final String reason;

    /**
     * @param reason why the event cannot be undone, never null
     * @param event the event, never null
     */
    public FlashbackException(String reason, ArchivedEvent event) {
        super(format(reason, event));
        this.reason = reason;
        this.event = event;
    }

    /** @return the event that cannot be undone; null only after the exception was deserialized */
    public ArchivedEvent event() {
        return event;
    }

    /** @return why it cannot be undone, without the event's description; never null */
    public String reason() {
        return reason;
    }

    private static String format(String reason, ArchivedEvent e) {
        String position = e.position();
        return "cannot undo " + e.type() + " of " + (e.table() == null ? "database " + e.database() : e.database() + "." + e.table())
                + " (stream " + e.stream() + ", offset " + e.offset() + ", position " + (position == null ? "unknown" : position)
                + (e.xid() == null ? "" : ", xid " + e.xid()) + "): " + reason;
    }
}
