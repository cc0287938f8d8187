package sh.stagehand.core.backup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ContentDefinedChunkerTest
{
    @Test
    void testChunksPutBackTogetherAreTheInputWithinTheSizeBounds()
            throws Exception
    {
        byte[] input = randomBytes(3_000_000, 1);
        List<byte[]> chunks = chunks(input);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            joined.write(chunk);
        }
        assertThat(joined.toByteArray()).isEqualTo(input);
        for (byte[] chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(chunk.length).isBetween(16 * 1024, 256 * 1024);
        }
        assertThat(chunks.size()).as("about 64 KiB on average").isBetween(20, 100);
    }

    @Test
    void testAnInsertionChangesOnlyTheChunksAroundIt()
            throws Exception
    {
        byte[] before = randomBytes(3_000_000, 2);
        // A row added in the middle of yesterday's dump.
        byte[] row = "INSERT INTO res_partner VALUES (42, 'Azure Interior');\n".getBytes(StandardCharsets.UTF_8);
        byte[] after = new byte[before.length + row.length];
        System.arraycopy(before, 0, after, 0, 1_500_000);
        System.arraycopy(row, 0, after, 1_500_000, row.length);
        System.arraycopy(before, 1_500_000, after, 1_500_000 + row.length, before.length - 1_500_000);

        Set<String> stored = hashes(chunks(before));
        List<String> today = new ArrayList<>(hashes(chunks(after)));
        long fresh = today.stream().filter(hash -> !stored.contains(hash)).count();
        assertThat(fresh).as("new chunks of %d", today.size()).isBetween(1L, 2L);
    }

    @Test
    void testAStreamShorterThanTheMinimumIsOneChunkAndAnEmptyOneNone()
            throws Exception
    {
        assertThat(chunks(new byte[100])).hasSize(1);
        assertThat(chunks(new byte[0])).isEmpty();
    }

    private static List<byte[]> chunks(byte[] input)
            throws IOException
    {
        ContentDefinedChunker chunker = new ContentDefinedChunker(new ByteArrayInputStream(input), 16 * 1024, 64 * 1024, 256 * 1024);
        List<byte[]> chunks = new ArrayList<>();
        for (byte[] chunk = chunker.next(); chunk != null; chunk = chunker.next()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    private static Set<String> hashes(List<byte[]> chunks)
            throws Exception
    {
        Set<String> hashes = new HashSet<>();
        for (byte[] chunk : chunks) {
            hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chunk)));
        }
        return hashes;
    }

    private static byte[] randomBytes(int count, long seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
