package io.greenwell.cdc.spi;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes {@link ChangeSource}s by name, for configuration files and the command line
 * ({@code source=file}, {@code source=kafka}). Implementations are found with {@link ServiceLoader}
 * ({@code META-INF/services/io.greenwell.cdc.spi.ChangeSourceProvider}).
 */
public interface ChangeSourceProvider {

    /** @return the name a configuration uses, lower case, never null */
    String name();

    /**
     * @param options the source's options (for a file source, {@code path}), never null
     * @return a new source, never null
     * @throws IllegalArgumentException when the options are wrong; the message names every problem
     */
    ChangeSource create(Map<String, String> options);

    /**
     * @param name a provider name, never null
     * @return the provider of that name on the class path, if any
     */
    static Optional<ChangeSourceProvider> find(String name) {
        for (ChangeSourceProvider p : ServiceLoader.load(ChangeSourceProvider.class)) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
