package sh.stagehand.core.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DumpCensusTest
{
    @TempDir
    Path directory;

    @Test
    void testCountsTheRowsOfEachTable()
            throws IOException
    {
        Path dump = directory.resolve("dump.sql");
        Files.writeString(dump, """
                SET client_encoding = 'UTF8';
                COPY public.res_partner (id, name) FROM stdin;
                1\tAzure Interior
                2\tDeco Addict\\r\\nwith a newline in its name
                \\.
                COPY public."Sale Order" (id) FROM stdin;
                \\.
                -- PostgreSQL database dump complete
                """);
        assertThat(DumpCensus.rows(dump)).isEqualTo(Map.of("public.res_partner", 2L, "public.\"Sale Order\"", 0L));
    }

    // A tenant's row of 512 MB (a text field of its production, pg_dump'ed nightly) is one line of the dump.
    @Test
    void testAHugeRowIsCountedWithoutBeingHeld()
            throws IOException
    {
        Path dump = directory.resolve("dump.sql");
        try (OutputStream out = Files.newOutputStream(dump)) {
            out.write("COPY public.ir_attachment (id, db_datas) FROM stdin;\n1\t".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            for (int index = 0; index < 512; index++) {
                out.write(chunk);
            }
            out.write("\n2\tsmall\n\\.\n".getBytes(StandardCharsets.US_ASCII));
        }
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && !pool.getName().contains("Eden"))
                .toList();
        System.gc();
        long before = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);

        Map<String, Long> rows = DumpCensus.rows(dump);

        long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        assertThat((peak - before) >> 20).as("MiB of heap (outside the young generation) taken to count it").isLessThan(64);
        assertThat(rows).isEqualTo(Map.of("public.ir_attachment", 2L));
    }
}
