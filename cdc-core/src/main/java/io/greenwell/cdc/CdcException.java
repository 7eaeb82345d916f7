package io.greenwell.cdc;

/**
 * Root of every exception that Greenwell throws. Unchecked: a caller decides where to handle it.
 * Subtypes carry the state needed to act on the failure (the stream and offset of a record, the
 * table and key of a row, the SQLSTATE of a database error).
 */
public class CdcException extends RuntimeException {

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, never null
     */
    public CdcException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, never null
     * @param cause the underlying failure, may be null
     */
    public CdcException(String message, Throwable cause) {
        super(message, cause);
    }
}
