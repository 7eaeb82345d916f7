package io.greenwell.cdc.compact;

import io.greenwell.cdc.CdcException;

/**
 * A single MySQL transaction outgrew the batch memory cap while splitting was refused
 * ({@link BatchLimits#splitLargeTransactions()} false). Raise the cap or allow splitting.
 */
public class TransactionTooLargeException extends CdcException {

    /**
     * @param message what outgrew what, never null
     */
    public TransactionTooLargeException(String message) {
        super(message);
    }
}
