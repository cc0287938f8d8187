package sh.stagehand.core.backup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RestrictKeyFilterTest
{
    @Test
    void testTakesOutTheKeyLinesOfPgDumpAndNothingElse()
            throws IOException
    {
        String dump = """
                --
                -- PostgreSQL database dump
                --

                \\restrict AbC123xyz

                SET statement_timeout = 0;
                COPY public.res_partner (id, name) FROM stdin;
                1	\\\\restrict AbC123xyz
                \\.

                \\unrestrict OtherKey
                \\unrestrict AbC123xyz
                """;
        String filtered = new String(new RestrictKeyFilter(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8))).readAllBytes(), StandardCharsets.UTF_8);

        assertThat(filtered).isEqualTo(dump.replace("\\restrict AbC123xyz\n\n", "\n").replace("\\unrestrict AbC123xyz\n", ""));
        assertThat(filtered).contains("1\t\\\\restrict AbC123xyz", "\\unrestrict OtherKey");
    }

    @Test
    void testADumpWithoutKeysPassesUnchanged()
            throws IOException
    {
        byte[] dump = "SET client_encoding = 'UTF8';\nSELECT 1;".getBytes(StandardCharsets.UTF_8);
        assertThat(new RestrictKeyFilter(new ByteArrayInputStream(dump)).readAllBytes()).isEqualTo(dump);
    }
}
