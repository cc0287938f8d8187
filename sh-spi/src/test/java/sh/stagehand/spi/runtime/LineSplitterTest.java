package sh.stagehand.spi.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineSplitterTest
{
    @Test
    void testSplitsAcrossChunks()
    {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        splitter.accept(bytes("first li"));
        splitter.accept(bytes("ne\nsecond\r\n\nthi"));
        assertThat(lines).containsExactly("first line", "second", "");
        splitter.accept(bytes("rd"));
        splitter.finish();
        assertThat(lines).containsExactly("first line", "second", "", "third");
    }

    @Test
    void testKeepsMultiByteCharacterCutBetweenChunks()
    {
        byte[] encoded = bytes("Société ✓\n");
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        // cut inside the three bytes of ✓
        int cut = encoded.length - 3;
        splitter.accept(Arrays.copyOfRange(encoded, 0, cut));
        splitter.accept(Arrays.copyOfRange(encoded, cut, encoded.length));
        assertThat(lines).containsExactly("Société ✓");
    }

    @Test
    void testFinishWithoutPendingBytesEmitsNothing()
    {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        splitter.accept(bytes("done\n"));
        splitter.finish();
        assertThat(lines).containsExactly("done");
    }

    // A tenant's code printing one endless line, in the chunks a log stream brings (16 KiB).
    @Test
    void testCutsALongLineAndCountsWhatItDropped()
    {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        long total = 0;
        for (int index = 0; index < 4096; index++) {
            splitter.accept(chunk);
            total += chunk.length;
        }
        assertThat(lines).as("nothing is delivered before the line ends").isEmpty();
        splitter.accept(bytes("\nafter\n"));

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("x".repeat(LogLine.MAX_TEXT_BYTES) + " … [stagehand: " + (total - LogLine.MAX_TEXT_BYTES) + " more bytes of this line cut]");
        assertThat(lines.get(1)).isEqualTo("after");
    }

    @Test
    void testALineOfExactlyTheLimitIsWhole()
    {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(8, lines::add);
        splitter.accept(bytes("12345678\r\n12345678\n123456789\r\n"));
        assertThat(lines).containsExactly("12345678", "12345678", "12345678" + LogLine.cutMarker(1));
    }

    @Test
    void testCutsWhereACharacterStarts()
    {
        List<String> lines = new ArrayList<>();
        // "abcdé✓" is 3 + 1 + 2 + 3 bytes: a cut at 7 would fall inside ✓
        LineSplitter splitter = new LineSplitter(7, lines::add);
        splitter.accept(bytes("abcdé✓ and more\n"));
        assertThat(lines).containsExactly("abcdé" + LogLine.cutMarker(bytes("✓ and more").length));
    }

    @Test
    void testALastLineWithoutNewlineIsCutToo()
    {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(4, lines::add);
        splitter.accept(bytes("ok\nabcdefgh"));
        splitter.finish();
        splitter.finish();
        assertThat(lines).containsExactly("ok", "abcd" + LogLine.cutMarker(4));
    }

    @Test
    void testRefusesALimitBelowOneCharacter()
    {
        assertThatThrownBy(() -> new LineSplitter(3, line -> {})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 bytes");
    }

    private static byte[] bytes(String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
