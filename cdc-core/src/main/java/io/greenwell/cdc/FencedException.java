package io.greenwell.cdc;

/**
 * The checkpoint of a stream is not the one this instance read or wrote last: another instance of
 * the same pipeline has taken the stream over (a Kafka rebalance, a second process), or the
 * database server lost its last commits in a crash (asynchronous commits). The batch was rolled
 * back; this instance must stop applying that stream, or read the checkpoint again and resume from
 * there.
 */
public class FencedException extends CdcException {

    private static final long serialVersionUID = 1L;

    private final String pipeline;
    private final String stream;

    /**
     * @param pipeline the pipeline, never null
     * @param stream the stream whose checkpoint moved, never null
     */
    public FencedException(String pipeline, String stream) {
        super("the checkpoint of pipeline '" + pipeline + "', stream '" + stream
                + "' is not the one this instance read or wrote last (another instance took the stream over, or the server lost"
                + " its last commits in a crash); the batch was rolled back");
        this.pipeline = pipeline;
        this.stream = stream;
    }

    /** @return the pipeline, never null */
    public String pipeline() {
        return pipeline;
    }

    /** @return the stream, never null */
    public String stream() {
        return stream;
    }
}
