package io.greenwell.cdc.pipeline;

import java.util.Objects;

/**
 * What {@link CdcPipeline#health()} says.
 *
 * @param up true while the pipeline works as it should
 * @param reason one line: why it is down, or what it does ({@code running}, {@code starting},
 *     {@code finished}); never null
 */
public record Health(boolean up, String reason) {

    /** Checks the reason. */
    public Health {
        Objects.requireNonNull(reason, "reason");
    }
}
