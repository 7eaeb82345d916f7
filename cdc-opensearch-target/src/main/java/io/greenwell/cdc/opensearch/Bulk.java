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
 * (409: the engine holds the same or a newer version, a replay) and refused.
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

    private final List<Action> actions = new ArrayList<>();
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
     * Sends the actions and empties this request.
     *
     * @param retries how often busy items are sent again
     * @param pauseMillis the first pause before that, doubling
     * @throws ApplyException (transient) when items were still refused as busy after every retry
     */
    Outcome send(Engine engine, int retries, long pauseMillis, long maxPauseMillis) {
        Outcome out = new Outcome();
        List<Action> pending = new ArrayList<>(actions);
        actions.clear();
        bytes = 0;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            Engine.Reply r = engine.expect("POST", "/_bulk?filter_path=items.*.status,items.*.error", body(pending),
                    "bulk request of " + pending.size() + " actions");
            List<Action> busy = new ArrayList<>();
            JsonNode items = r.body().path("items");
            if (items.size() != pending.size()) {
                throw new ApplyException("a bulk request of " + pending.size() + " actions was answered with " + items.size() + " items",
                        null, null, true, null, null);
            }
            for (int i = 0; i < pending.size(); i++) {
                JsonNode item = items.path(i);
                JsonNode result = item.elements().hasNext() ? item.elements().next() : item;
                int status = result.path("status").asInt(500);
                Action a = pending.get(i);
                if (status >= 200 && status < 300 || status == 404 && isDelete(item)) {
                    out.applied++;
                } else if (status == 409) {
                    out.stale++;
                } else if (Engine.isRetriable(status)) {
                    busy.add(a);
                } else {
                    out.refused.add(a);
                    out.reasons.add("HTTP " + status + " " + Engine.reason(result));
                }
            }
            if (!busy.isEmpty() && attempt >= retries) {
                throw new ApplyException(busy.size() + " bulk actions were still refused as busy after " + (attempt + 1) + " attempts",
                        null, null, true, null, null);
            }
            if (!busy.isEmpty()) {
                Engine.sleep(Math.min(pauseMillis << Math.min(attempt, 20), maxPauseMillis));
            }
            pending = busy;
        }
        return out;
    }

    private static boolean isDelete(JsonNode item) {
        return item.has("delete");
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
