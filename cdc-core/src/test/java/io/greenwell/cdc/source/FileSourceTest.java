package io.greenwell.cdc.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.spi.SourceRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {

    private static List<SourceRecord> all(FileSource s) {
        List<SourceRecord> out = new ArrayList<>();
        while (!s.isFinished()) {
            out.addAll(s.poll(Duration.ZERO));
        }
        return out;
    }

    private static List<String> texts(List<SourceRecord> rs) {
        List<String> out = new ArrayList<>();
        rs.forEach(r -> out.add(r.offset() + ":" + new String(r.bytes(), StandardCharsets.UTF_8)));
        return out;
    }

    private static FileSource of(String text) {
        return FileSource.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "stdin");
    }

    @Test
    void oneRecordPerLineWithByteOffsets() {
        List<SourceRecord> rs = all(of("{\"a\":1}\n{\"b\":\"é\"}\r\n\n{\"c\":3}"));
        assertThat(texts(rs)).containsExactly("0:{\"a\":1}", "8:{\"b\":\"é\"}", "21:{\"c\":3}");
        assertThat(rs.get(0).stream()).isEqualTo("stdin");
    }

    @Test
    void aRecordMaySpanLinesWhenItsJsonDocumentHoldsNewlines() {
        String multi = "{\"data\":{\"j\":{\n  \"k\": [1,\n 2]\n}}}";
        List<SourceRecord> rs = all(of("{\"a\":1}\n" + multi + "\n{\"z\":\"}{\"}\n"));
        assertThat(texts(rs)).containsExactly("0:{\"a\":1}", "8:" + multi, (9 + multi.length()) + ":{\"z\":\"}{\"}");
    }

    @Test
    void stringsWithQuotesEscapesAndBracketsAreFramedAtEveryAlignmentAndAcrossReadBuffers() {
        // every record puts its tricky string at another byte alignment; one record spans lines,
        // one ends in CRLF, and one is longer than the reader's buffer
        List<String> records = new ArrayList<>();
        for (int pad = 0; pad < 17; pad++) {
            String p = "x".repeat(pad);
            records.add("{\"s\":\"" + p + "q\\\"}{[\\\\]\",\"t\":\"" + p + "long string without specials\"}");
            // an escaped quote followed by closers decides whether the record goes on
            records.add("{\"s\":\"" + p + "\\\"}]}\\\\\"\n,\"t\":1}");
        }
        records.add("{\"j\":{\n\"k\":\"" + "y".repeat(9) + "\\\"}\"\n}}");
        records.add("{\"big\":\"" + "z".repeat(70_000) + "\\\\\"}");
        StringBuilder text = new StringBuilder();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            want.add(text.length() + ":" + records.get(i));
            text.append(records.get(i)).append(i == 3 ? "\r\n" : "\n");
        }
        assertThat(texts(all(of(text.toString())))).containsExactlyElementsOf(want);
    }

    @Test
    void aBrokenRecordIsItsFirstLineAndReadingGoesOnAtTheNextLine() {
        // truncated record: its braces never close before good records follow
        List<SourceRecord> rs = all(of("{\"a\":1\n{\"b\":2}\n{\"c\":3}\n"));
        assertThat(texts(rs)).containsExactly("0:{\"a\":1", "7:{\"b\":2}", "15:{\"c\":3}");
        // a newline inside a string, garbage, stray closers
        rs = all(of("{\"s\":\"x\ny\"}\nnot json\n}}\n{\"ok\":true}\n"));
        assertThat(texts(rs)).containsExactly("0:{\"s\":\"x", "8:y\"}", "12:not json", "21:}}", "24:{\"ok\":true}");
    }

    @Test
    void seekResumesAfterTheCheckpointedRecord(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.jsonl");
        Files.writeString(f, "{\"a\":1}\n{\"b\":{\n\"x\":1}}\n{\"c\":3}\n");
        FileSource fresh = FileSource.of(f);
        List<SourceRecord> rs = all(fresh);
        assertThat(fresh.stream()).isEqualTo(f.toAbsolutePath().toString());
        assertThat(texts(rs)).containsExactly("0:{\"a\":1}", "8:{\"b\":{\n\"x\":1}}", "23:{\"c\":3}");
        FileSource resumed = FileSource.of(f);
        resumed.seek(Map.of(resumed.stream(), 8L));
        assertThat(texts(all(resumed))).containsExactly("23:{\"c\":3}");
        FileSource stdin = FileSource.of(Files.newInputStream(f), "stdin");
        stdin.seek(Map.of("stdin", 8L));
        assertThat(texts(all(stdin))).containsExactly("23:{\"c\":3}");
    }

    @Test
    void aPausedSourceReturnsNothing() {
        FileSource s = of("{\"a\":1}\n");
        s.pause();
        assertThat(s.poll(Duration.ZERO)).isEmpty();
        s.resume();
        assertThat(s.poll(Duration.ZERO)).hasSize(1);
    }
}
