package io.greenwell.examples;

import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import java.nio.file.Path;

/** The README's quick start: a file of Maxwell records into PostgreSQL, exactly once. */
public final class QuickStart {

    private QuickStart() {}

    /**
     * @param args a file of Maxwell records and a JDBC URL
     */
    public static void main(String[] args) {
        try (FileSource source = FileSource.of(Path.of(args[0]));
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(args[1]).build()) {
            RunSummary s = CdcPipeline.builder()
                    .name("quickstart")          // the checkpoint's name: run it again and it resumes
                    .source(source)
                    .target(target)              // dialect detected; tables created from Maxwell's DDL
                    .build()
                    .run();                      // until the end of the file
            System.out.println(s.applied() + " applied, " + s.deadLetters() + " dead letters");
        }
    }
}
