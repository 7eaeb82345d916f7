package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.CdcException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.http.HttpEntity;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's REST API through the low-level client, with retries: a request that fails with an
 * I/O error (a lost connection, a timeout), 429 (too many requests) or any 5xx is sent again after a
 * pause that doubles up to a maximum, as often as configured; then it throws a transient
 * {@link ApplyException}. Any other status is returned to the caller, who decides what it means.
 * A write whose reply was lost may land twice this way: external versions, ids the target chooses
 * and conditional writes make that harmless. Thread-safe: the applier and its bulk threads share it.
 */
final class Engine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    /** Reads replies exactly: a stored document's numbers keep every digit when it is written back. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /** A reply: its HTTP status and its body as JSON (a null node when it had none). */
    record Reply(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final RestClient client;
    private final boolean owned;
    private final int retries;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    /** Retries since the counter was last read (bulk requests run on several threads). */
    private final java.util.concurrent.atomic.AtomicLong retried = new java.util.concurrent.atomic.AtomicLong();

    Engine(RestClient client, boolean owned, int retries, Duration firstBackoff, Duration maxBackoff) {
        this.client = client;
        this.owned = owned;
        this.retries = retries;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * @return true when a status means the engine is busy, failed inside or is briefly away (429 or
     *     any 5xx), so the request, or the bulk item, may be sent again
     */
    static boolean isRetriable(int status) {
        return status == 429 || status >= 500 && status < 600;
    }

    /**
     * @param method the HTTP method, never null
     * @param endpoint the path and query, never null
     * @param body the JSON (or NDJSON) body, or null
     * @param what what the request does, for messages
     * @return the reply, whatever its status other than the retriable ones
     * @throws ApplyException (transient) when every attempt failed with a retriable error
     * @throws io.greenwell.cdc.CdcException when interrupted while waiting to retry (the flag is set again)
     */
    Reply call(String method, String endpoint, byte[] body, String what) {
        long pause = firstBackoff.toMillis();
        for (int attempt = 0; ; attempt++) {
            String problem;
            Throwable cause;
            try {
                Request r = new Request(method, endpoint);
                if (body != null) {
                    r.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
                }
                Reply reply = read(client.performRequest(r));
                if (!isRetriable(reply.status())) {
                    return reply;
                }
                problem = "HTTP " + reply.status();
                cause = null;
            } catch (ResponseException e) {
                Reply reply;
                try {
                    reply = read(e.getResponse());
                } catch (IOException io) {
                    reply = new Reply(e.getResponse().getStatusLine().getStatusCode(), NullNode.getInstance());
                }
                if (!isRetriable(reply.status())) {
                    return reply;
                }
                problem = "HTTP " + reply.status();
                cause = e;
            } catch (IOException e) {
                problem = e.toString();
                cause = e;
            }
            if (attempt >= retries) {
                throw new ApplyException(what + " failed after " + (attempt + 1) + " attempts: " + problem, null, null, true, null, cause);
            }
            log.warn("{}: {}; trying again in {} ms", what, problem, pause);
            retried.incrementAndGet();
            sleep(pause);
            pause = Math.min(pause * 2, maxBackoff.toMillis());
        }
    }

    /**
     * As {@link #call}, but any status other than 2xx (and those in {@code accepted}) is an error.
     *
     * @throws ApplyException when the reply is not accepted (not transient)
     */
    Reply expect(String method, String endpoint, byte[] body, String what, int... accepted) {
        Reply r = call(method, endpoint, body, what);
        if (r.ok()) {
            return r;
        }
        for (int a : accepted) {
            if (a == r.status()) {
                return r;
            }
        }
        throw new ApplyException(what + " failed: HTTP " + r.status() + " " + reason(r.body()), null, null, false, null, null);
    }

    /** @return the engine's reason for an error reply, short */
    static String reason(JsonNode body) {
        JsonNode e = body.path("error");
        if (e.isTextual()) {
            return e.asText();
        }
        String type = e.path("type").asText("");
        String reason = e.path("reason").asText("");
        JsonNode cause = e.path("caused_by");
        if (!cause.isMissingNode()) {
            reason += " (" + cause.path("type").asText("") + ": " + cause.path("reason").asText("") + ")";
        }
        return type.isEmpty() && reason.isEmpty() ? body.toString() : type + ": " + reason;
    }

    private static Reply read(Response r) throws IOException {
        HttpEntity e = r.getEntity();
        JsonNode body = NullNode.getInstance();
        if (e != null) {
            try (InputStream in = e.getContent()) {
                byte[] b = in.readAllBytes();
                if (b.length > 0) {
                    body = JSON.readTree(b);
                }
            }
        }
        return new Reply(r.getStatusLine().getStatusCode(), body);
    }

    /**
     * Counts and logs a retry that a caller makes itself (the busy items of a bulk request).
     *
     * @param problem what failed, for the log
     * @param pause the pause before the retry
     */
    void retrying(String problem, long pause) {
        log.warn("{}; trying again in {} ms", problem, pause);
        retried.incrementAndGet();
    }

    /** @return the retries since the last call, and starts counting again */
    long takeRetries() {
        return retried.getAndSet(0);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdcException("interrupted while waiting to retry", e);
        }
    }

    @Override
    public void close() {
        if (owned) {
            try {
                client.close();
            } catch (IOException e) {
                log.warn("closing the REST client: {}", e.toString());
            }
        }
    }
}
