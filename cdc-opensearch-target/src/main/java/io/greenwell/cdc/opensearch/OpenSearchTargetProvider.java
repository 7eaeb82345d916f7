package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.ChangeTargetProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code target=opensearch}: options {@code url} (required), {@code index} or
 * {@code index-per-table}, {@code control-index}, {@code dead-letter-index}, {@code decimals}
 * ({@code string}, {@code number}), {@code versioning} ({@code position}, {@code offset}),
 * {@code bulk-bytes}, {@code user} and {@code password}.
 */
public final class OpenSearchTargetProvider implements ChangeTargetProvider {

    private static final Set<String> KNOWN = Set.of("url", "index", "index-per-table", "control-index", "dead-letter-index", "decimals",
            "versioning", "bulk-bytes", "user", "password");

    @Override
    public String name() {
        return "opensearch";
    }

    @Override
    public ChangeTarget create(Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        for (String k : options.keySet()) {
            if (!KNOWN.contains(k)) {
                problems.add("unknown option " + k + " (known: " + String.join(", ", new java.util.TreeSet<>(KNOWN)) + ")");
            }
        }
        if (options.containsKey("index") && options.containsKey("index-per-table")) {
            problems.add("give index or index-per-table, not both");
        }
        if (options.containsKey("password") && !options.containsKey("user")) {
            problems.add("password without user");
        }
        OpenSearchTarget.Builder b = OpenSearchTarget.builder();
        String url = options.get("url");
        if (url == null || url.isBlank()) {
            problems.add("url is required (http://host:9200)");
        } else {
            try {
                b.url(url);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        try {
            if (options.containsKey("index")) {
                b.index(options.get("index"));
            }
            if (options.containsKey("index-per-table")) {
                b.indexPerTable(options.get("index-per-table"));
            }
            if (options.containsKey("control-index")) {
                b.controlIndex(options.get("control-index"));
            }
            if (options.containsKey("dead-letter-index")) {
                b.deadLetterIndex(options.get("dead-letter-index"));
            }
            if (options.containsKey("decimals")) {
                b.decimals(Decimals.valueOf(options.get("decimals").toUpperCase(Locale.ROOT)));
            }
            if (options.containsKey("versioning")) {
                b.versioning(Versioning.valueOf(options.get("versioning").toUpperCase(Locale.ROOT)));
            }
            if (options.containsKey("bulk-bytes")) {
                b.bulkBytes(Long.parseLong(options.get("bulk-bytes")));
            }
            if (options.containsKey("user")) {
                b.credentials(options.get("user"), options.getOrDefault("password", ""));
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("opensearch target: " + String.join("; ", problems));
        }
        return b.build();
    }
}
