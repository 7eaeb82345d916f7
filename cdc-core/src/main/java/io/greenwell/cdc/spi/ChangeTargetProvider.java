package io.greenwell.cdc.spi;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes {@link ChangeTarget}s by name, for configuration files and the command line
 * ({@code target=opensearch}), as {@link ChangeSourceProvider} does for sources. Implementations
 * are found with {@link ServiceLoader}
 * ({@code META-INF/services/io.greenwell.cdc.spi.ChangeTargetProvider}).
 */
public interface ChangeTargetProvider {

    /** @return the name a configuration uses, lower case, never null */
    String name();

    /**
     * @param options the target's options (for a search engine, {@code url}), never null
     * @return a new target, never null
     * @throws IllegalArgumentException when the options are wrong; the message names every problem
     */
    ChangeTarget create(Map<String, String> options);

    /**
     * @param name a provider name, never null
     * @return the provider of that name on the class path, if any
     */
    static Optional<ChangeTargetProvider> find(String name) {
        for (ChangeTargetProvider p : ServiceLoader.load(ChangeTargetProvider.class)) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
