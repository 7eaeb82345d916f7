package io.greenwell.cdc.opensearch;

import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import io.greenwell.cdc.spi.Instrumented;
import io.greenwell.cdc.spi.KeyResolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import io.greenwell.cdc.event.TableId;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.opensearch.client.RestClient;
import org.opensearch.client.RestClientBuilder;

/**
 * A {@link ChangeTarget} that keeps a search index (OpenSearch, or Elasticsearch 7 and later,
 * which speak the same document and bulk API) in step with MySQL: one document per row, its id
 * made of the primary-key values, its fields {@code _db}, {@code _table}, {@code _v} and the row's
 * columns.
 *
 * <p>There are no transactions: each action of a batch carries an external version derived from
 * the source position of the last event behind it, so the engine keeps a document only when it is
 * newer than the one it holds, and a replayed or overlapping batch changes nothing. The checkpoint
 * of each (pipeline, stream) is a document of the control index, written after the batch's bulk
 * requests succeeded and conditionally on the one read, which fences a second instance.
 *
 * <pre>{@code
 * OpenSearchTarget target = OpenSearchTarget.builder()
 *         .url("http://127.0.0.1:9200")
 *         .index("greenwell")
 *         .build();
 * }</pre>
 *
 * <p>Used by one thread at a time, as {@link ChangeTarget} says; {@link #keyResolver()} is thread-safe.
 */
public final class OpenSearchTarget implements ChangeTarget, Instrumented {

    private final Engine engine;
    private final Control control;
    private final Schemas schemas;
    private final Applier applier;
    private final DeadLetterIndex deadLetters;
    private final Predicate<TableId> tables;
    private boolean installed;
    private boolean closed;

    private OpenSearchTarget(Builder b) {
        RestClient client = b.client;
        boolean owned = false;
        if (client == null) {
            RestClientBuilder rb = RestClient.builder(b.hosts.toArray(new HttpHost[0]));
            if (b.user != null) {
                BasicCredentialsProvider cp = new BasicCredentialsProvider();
                cp.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(b.user, b.password));
                rb.setHttpClientConfigCallback(h -> h.setDefaultCredentialsProvider(cp));
            }
            rb.setRequestConfigCallback(r -> r.setConnectTimeout((int) b.connectTimeout.toMillis())
                    .setSocketTimeout((int) b.requestTimeout.toMillis()));
            client = rb.build();
            owned = true;
        }
        long first = b.firstBackoff.toMillis();
        long max = b.maxBackoff.toMillis();
        this.tables = b.tables;
        this.engine = new Engine(client, owned, b.retries, b.firstBackoff, b.maxBackoff);
        Indices indices = new Indices(b.template == null ? b.index : null, b.template);
        this.control = new Control(engine, b.controlIndex);
        this.schemas = new Schemas(engine, control, indices, b.decimals, "greenwell_" + Indices.sanitize(indices.pattern().replace("*", "")),
                b.retries, first, max);
        this.deadLetters = b.deadLetters ? new DeadLetterIndex(engine, b.deadLetterIndex, b.retries, first, max) : null;
        this.applier = new Applier(engine, control, indices, new Documents(b.decimals), schemas, deadLetters, b.versioning, b.bulkBytes,
                b.concurrency, b.retries, first, max);
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the control, dead-letter and (shared) document index and the index template on
     * first use, reads the pipeline's checkpoints and fences them.
     */
    @Override
    public Map<String, Checkpoint> loadCheckpoints(String pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        if (!installed) {
            control.create();
            if (deadLetters != null) {
                deadLetters.create();
            }
            schemas.install();
            installed = true;
        }
        Map<String, Control.Stream> streams = control.load(pipeline);
        applier.loaded(pipeline, streams);
        Map<String, Checkpoint> out = new LinkedHashMap<>();
        streams.forEach((s, st) -> out.put(s, Control.checkpoint(st)));
        return out;
    }

    @Override
    public ApplyResult apply(NetBatch batch) {
        return applier.apply(batch);
    }

    /** @return whether the table's rows are indexed, by {@link Builder#includeTables}; thread-safe */
    @Override
    public boolean includes(TableId table) {
        return tables.test(table);
    }

    /** @return the keys and columns of the tables whose DDL the stream carried (kept in the control index) */
    @Override
    public KeyResolver keyResolver() {
        return schemas::shape;
    }

    /**
     * @return actions the engine turned down because it held the same or a newer version (replays
     *     and overlaps after a restart), since the target was built
     */
    public long staleActions() {
        return applier.staleTotal;
    }

    /** @return net changes of tables without a primary key, which are not indexed, since the target was built */
    public long keylessChanges() {
        return applier.keylessTotal;
    }

    /**
     * @return partial rows (MINIMAL images) and key changes whose stored document was missing, so
     *     that there was nothing to lay their values over (the row was never indexed: older than
     *     the stream, or refused), since the target was built; their documents are not written
     */
    public long missingDocuments() {
        return applier.missingTotal;
    }

    @Override
    public void bindMetrics(MeterRegistry registry, Tags tags) {
        OpenSearchMeters.bind(this, registry, tags);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            applier.close();
            engine.close();
        }
    }

    /** Builds an {@link OpenSearchTarget}. Every method returns this builder. */
    public static final class Builder {
        private final List<HttpHost> hosts = new ArrayList<>();
        private RestClient client;
        private String user;
        private String password;
        private String index = "greenwell";
        private String template;
        private String controlIndex = "greenwell_control";
        private String deadLetterIndex = "greenwell_dead_letter";
        private boolean deadLetters = true;
        private Decimals decimals = Decimals.STRING;
        private Versioning versioning = Versioning.POSITION;
        private long bulkBytes = 5L << 20;
        private int concurrency = 1;
        private int retries = 10;
        private Duration firstBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Predicate<TableId> tables = t -> true;

        private Builder() {}

        /**
         * @param tables which MySQL tables are indexed (default: all); called from several threads,
         *     so it must be thread-safe
         * @return this builder
         */
        public Builder includeTables(Predicate<TableId> tables) {
            this.tables = Objects.requireNonNull(tables, "tables");
            return this;
        }

        /**
         * @param urls the engine's address, {@code http://host:9200} or {@code https://...}; several
         *     separated by commas
         * @return this builder
         * @throws IllegalArgumentException when a URL has no host
         */
        public Builder url(String urls) {
            for (String u : urls.split(",")) {
                URI uri = URI.create(u.trim());
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL with a host: " + u);
                }
                int port = uri.getPort() < 0 ? ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 9200) : uri.getPort();
                hosts.add(new HttpHost(uri.getHost(), port, uri.getScheme() == null ? "http" : uri.getScheme()));
                if (uri.getUserInfo() != null && user == null) {
                    int colon = uri.getUserInfo().indexOf(':');
                    user = colon < 0 ? uri.getUserInfo() : uri.getUserInfo().substring(0, colon);
                    password = colon < 0 ? "" : uri.getUserInfo().substring(colon + 1);
                }
            }
            return this;
        }

        /**
         * @param client a REST client of the application's, used instead of {@link #url}; not closed by the target
         * @return this builder
         */
        public Builder restClient(RestClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * @param user basic-authentication user, never null
         * @param password its password, never null
         * @return this builder
         */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * @param index the one index of every table's documents (default {@code greenwell}); lower case
         * @return this builder
         */
        public Builder index(String index) {
            this.index = Indices.sanitize(Objects.requireNonNull(index, "index"));
            this.template = null;
            return this;
        }

        /**
         * @param template one index per table instead of a shared one, named by replacing
         *     {@code {db}} and {@code {table}} ({@code "mysql.{db}.{table}"}); lower-cased, and
         *     characters an index name cannot hold replaced by {@code _}
         * @return this builder
         */
        public Builder indexPerTable(String template) {
            if (!Objects.requireNonNull(template, "template").contains("{table}")) {
                throw new IllegalArgumentException("an index template must name {table}: " + template);
            }
            this.template = template;
            return this;
        }

        /**
         * @param index the index of checkpoints and table descriptions (default {@code greenwell_control})
         * @return this builder
         */
        public Builder controlIndex(String index) {
            this.controlIndex = Indices.sanitize(Objects.requireNonNull(index, "index"));
            return this;
        }

        /**
         * @param index the index of dead letters (default {@code greenwell_dead_letter})
         * @return this builder
         */
        public Builder deadLetterIndex(String index) {
            this.deadLetterIndex = Indices.sanitize(Objects.requireNonNull(index, "index"));
            return this;
        }

        /**
         * @param on whether refused documents go to the dead-letter index (default) rather than
         *     stopping the pipeline
         * @return this builder
         */
        public Builder deadLetters(boolean on) {
            this.deadLetters = on;
            return this;
        }

        /**
         * @param decimals how DECIMAL columns are written (default {@link Decimals#STRING})
         * @return this builder
         */
        public Builder decimals(Decimals decimals) {
            this.decimals = Objects.requireNonNull(decimals, "decimals");
            return this;
        }

        /**
         * @param versioning where document versions come from (default {@link Versioning#POSITION})
         * @return this builder
         */
        public Builder versioning(Versioning versioning) {
            this.versioning = Objects.requireNonNull(versioning, "versioning");
            return this;
        }

        /**
         * @param bytes the size at which a bulk request is sent (default 5 MiB), at least 1
         * @return this builder
         */
        public Builder bulkBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bulkBytes must be at least 1: " + bytes);
            }
            this.bulkBytes = bytes;
            return this;
        }

        /**
         * @param requests how many bulk requests of a batch may be in flight at once (default 1), at least
         *     1; more pays on an engine with cores and shards to spare, not on one that shares the
         *     pipeline's cores
         * @return this builder
         */
        public Builder bulkConcurrency(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("bulkConcurrency must be at least 1: " + requests);
            }
            this.concurrency = requests;
            return this;
        }

        /**
         * @param retries how often a request, or a bulk item, refused as busy (429, any 5xx) or lost is sent
         *     again (default 10); then the batch fails with a transient {@link io.greenwell.cdc.ApplyException}
         * @return this builder
         */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative: " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * @param first the first pause before a retry (default 100 ms), doubling up to {@code max} (default 10 s)
         * @param max the longest pause
         * @return this builder
         */
        public Builder retryBackoff(Duration first, Duration max) {
            if (first.isNegative() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("retry backoff must be 0 <= first <= max: " + first + ", " + max);
            }
            this.firstBackoff = first;
            this.maxBackoff = max;
            return this;
        }

        /**
         * @param connect how long to wait for a connection (default 10 s)
         * @param request how long to wait for a reply (default 60 s)
         * @return this builder
         */
        public Builder timeouts(Duration connect, Duration request) {
            this.connectTimeout = Objects.requireNonNull(connect, "connect");
            this.requestTimeout = Objects.requireNonNull(request, "request");
            return this;
        }

        /**
         * @return the target, never null; it connects on {@link OpenSearchTarget#loadCheckpoints}
         * @throws IllegalStateException when neither a URL nor a client was given
         */
        public OpenSearchTarget build() {
            if (client == null && hosts.isEmpty()) {
                throw new IllegalStateException("an OpenSearch target needs url(...) or restClient(...)");
            }
            return new OpenSearchTarget(this);
        }
    }
}
