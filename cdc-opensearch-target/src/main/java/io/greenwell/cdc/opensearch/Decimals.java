package io.greenwell.cdc.opensearch;

/** How DECIMAL columns are written into documents. */
public enum Decimals {

    /**
     * As strings in plain notation with their scale ({@code "12.50"}, {@code "0.000"}), mapped as
     * {@code keyword}: exact, sortable only as text.
     */
    STRING,

    /**
     * As JSON numbers in plain notation with their scale ({@code 12.50}), mapped as {@code double}:
     * the source document keeps every digit, range queries and aggregations see a double.
     */
    NUMBER
}
