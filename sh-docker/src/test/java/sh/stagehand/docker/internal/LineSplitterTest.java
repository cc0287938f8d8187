package sh.stagehand.docker.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static byte[] bytes(String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
