package io.greenwell.cdc.opensearch;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.ApplyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One bulk request being built: NDJSON action and source lines, and for each action what it was
 * for, so that each item of the reply is traced back to its net change. {@link #send} sends it, sends
 * again the items the engine was too busy for (429, 5xx), and sorts the rest into applied, stale
 * (409: the engine holds the same or a newer version, a replay) and refused (any other 4xx).
 */
final class Bulk {

    /** An action of the request and what it stands for. */
    static final class Action {
        final String index;
        final String id;
        /** The action line and the source line (null for a delete), each without its newline. */
        final byte[] action;
        final byte[] source;
        final Object tag;

        Action(String index, String id, byte[] action, byte[] source, Object tag) {
            this.index = index;
            this.id = id;
            this.action = action;
            this.source = source;
            this.tag = tag;
        }

        long bytes() {
            return action.length + 1 + (source == null ? 0 : source.length + 1);
        }
    }

    /** What the engine did with the request's actions. */
    static final class Outcome {
        long applied;
        long stale;
        /** The refused actions, with the engine's reason for each. */
        final List<Action> refused = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
    }

    private List<Action> actions = new ArrayList<>();
    private long bytes;
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(256);

    /**
     * @return a generator writing into the request's one scratch buffer; {@link #take} returns what
     *     it wrote, and must be called before the next generator (or {@link #actionLine}) is asked for
     */
    JsonGenerator generator() {
        scratch.reset();
        try {
            return Engine.JSON.getFactory().createGenerator(scratch, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] take(JsonGenerator g) {
        try {
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return scratch.toByteArray();
    }

    /**
     * @param op {@code index} or {@code delete}
     * @param versionType {@code external} or {@code external_gte}
     * @return the action line
     */
    byte[] actionLine(String op, String index, String id, long version, String versionType) {
        JsonGenerator g = generator();
        try {
            g.writeStartObject();
            g.writeObjectFieldStart(op);
            g.writeStringField("_index", index);
            g.writeStringField("_id", id);
            g.writeNumberField("version", version);
            g.writeStringField("version_type", versionType);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return take(g);
    }

    void add(Action a) {
        actions.add(a);
        bytes += a.bytes();
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return actions.isEmpty();
    }

    /**
     * Sends the actions and empties this request. Whole requests are retried by the engine (429,
     * 5xx, a lost connection). An item the engine answers with 429 or a 5xx (a full queue, a shard
     * that failed or moved) is sent again in a request of the busy items only, after the same
     * doubling pause, never sent to the dead letters: it may have been applied already (a reply
     * rewritten or lost), and then its version makes the engine answer 409 the second time. Only a
     * refusal (any other 4xx: a mapping conflict, the field limit) is the document's fault.
     *
     * @param retries how often busy items are sent again
     * @param pauseMillis the first pause before that, doubling
     * @param maxPauseMillis the longest pause
     * @return what the engine did with the actions, never null
     * @throws ApplyException (transient) when items were still refused as busy after every retry, or
     *     the request failed as {@link Engine#call} says; not transient when the engine refused the
     *     whole request (a 4xx)
     */
    Outcome send(Engine engine, int retries, long pauseMillis, long maxPauseMillis) {
        Outcome out = new Outcome();
        List<Action> pending = actions;
        actions = new ArrayList<>();
        bytes = 0;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            Engine.Reply r = engine.expect("POST", "/_bulk?filter_path=items.*.status,items.*.error", body(pending),
                    "bulk request of " + pending.size() + " actions");
            List<Action> busy = null;
            int busyStatus = 0;
            JsonNode busyResult = null;
            JsonNode items = r.body().path("items");
            if (items.size() != pending.size()) {
                throw new ApplyException("a bulk request of " + pending.size() + " actions was answered with " + items.size() + " items",
                        null, null, true, null, null);
            }
            for (int i = 0; i < pending.size(); i++) {
                JsonNode item = items.get(i);
                boolean delete = false;
                JsonNode result = item.get("index");
                if (result == null) {
                    result = item.get("delete");
                    delete = result != null;
                }
                if (result == null) {
                    result = item.elements().hasNext() ? item.elements().next() : item;
                }
                // an item without a status is not known to be refused: sent again
                int status = result.path("status").asInt(500);
                Action a = pending.get(i);
                if (status >= 200 && status < 300 || status == 404 && delete) {
                    out.applied++;
                } else if (status == 409) {
                    out.stale++;
                } else if (status >= 400 && status < 500 && status != 429) {
                    out.refused.add(a);
                    out.reasons.add("HTTP " + status + " " + Engine.reason(result));
                } else {
                    if (busy == null) {
                        busy = new ArrayList<>();
                        busyStatus = status;
                        busyResult = result;
                    }
                    busy.add(a);
                }
            }
            if (busy == null) {
                break;
            }
            String problem = busy.size() + " of " + pending.size() + " bulk actions refused as busy (HTTP " + busyStatus + " "
                    + Engine.reason(busyResult) + ")";
            if (attempt >= retries) {
                throw new ApplyException(problem + " after " + (attempt + 1) + " attempts", null, null, true, null, null);
            }
            long pause = Math.min(pauseMillis << Math.min(attempt, 20), maxPauseMillis);
            engine.retrying(problem, pause);
            Engine.sleep(pause);
            pending = busy;
        }
        return out;
    }

    private static byte[] body(List<Action> list) {
        long n = 0;
        for (Action a : list) {
            n += a.bytes();
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(n, Integer.MAX_VALUE - 8));
        for (Action a : list) {
            b.write(a.action, 0, a.action.length);
            b.write('\n');
            if (a.source != null) {
                b.write(a.source, 0, a.source.length);
                b.write('\n');
            }
        }
        return b.toByteArray();
    }
}
