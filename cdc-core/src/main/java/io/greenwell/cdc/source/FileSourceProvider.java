package io.greenwell.cdc.source;

import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.ChangeSourceProvider;
import java.nio.file.Path;
import java.util.Map;

/** Provides {@link FileSource} as {@code file}: option {@code path}, a file or {@code -} for standard input. */
public final class FileSourceProvider implements ChangeSourceProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public FileSourceProvider() {}

    @Override
    public String name() {
        return "file";
    }

    @Override
    public ChangeSource create(Map<String, String> options) {
        String path = options.get("path");
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("the file source needs option 'path' (a file, or - for standard input)");
        }
        return path.equals("-") ? FileSource.of(System.in, "stdin") : FileSource.of(Path.of(path));
    }
}
