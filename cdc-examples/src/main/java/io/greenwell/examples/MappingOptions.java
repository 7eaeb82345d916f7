package io.greenwell.examples;

import io.greenwell.cdc.greenplum.SchemaMapping;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Which MySQL databases and tables go where: the options of every command that applies rows. */
final class MappingOptions {

    /** How the values of a repeatable option are separated in one argument or in a config file. */
    static final String LIST = "\\s*,\\s*";

    @Option(names = "--schema-map", paramLabel = "db=schema", split = LIST, splitSynopsisLabel = ",",
            description = "put a MySQL database into another schema (repeatable, or comma-separated)")
    List<String> schemaMap = new ArrayList<>();

    @Option(names = "--include", paramLabel = "GLOB", split = LIST, splitSynopsisLabel = ",",
            description = "replicate only db or db.table matching (repeatable, or comma-separated)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", split = LIST, splitSynopsisLabel = ",",
            description = "never replicate db or db.table matching (repeatable, or comma-separated)")
    List<String> excludes = new ArrayList<>();

    /** @throws CommandLine.ParameterException for a --schema-map that is not db=schema (status 2) */
    SchemaMapping mapping(CommandLine cl) {
        SchemaMapping.Builder mapping = SchemaMapping.builder();
        for (String m : schemaMap) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw ConfigFile.badValue(cl, "--schema-map", m, "--schema-map needs db=schema, not '" + m + "'");
            }
            mapping.map(m.substring(0, eq), m.substring(eq + 1));
        }
        includes.forEach(mapping::include);
        excludes.forEach(mapping::exclude);
        return mapping.build();
    }
}
