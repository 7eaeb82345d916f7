package io.greenwell.cdc.greenplum;

/** A value that cannot be written into its target column; the applier adds the table, column and key. */
final class ValueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ValueException(String message) {
        super(message);
    }

    ValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
