package sh.stagehand.core.backup;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlainDumpCheckTest
{
    // As pg_dump 15.18 writes one (trimmed), with data and definitions full of backslashes.
    private static final String PG_DUMP = """
            \\restrict 4xGk1ZbJw9
            --
            -- PostgreSQL database dump
            --

            SET statement_timeout = 0;
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);

            CREATE FUNCTION public.slashes(text) RETURNS text
                LANGUAGE plpgsql
                AS $$ BEGIN RETURN replace($1, '\\', '/'); END; $$;

            CREATE FUNCTION public.tagged() RETURNS text LANGUAGE sql AS $body$ SELECT '\\! not a command' $body$;

            CREATE TABLE public.res_partner (
                id integer NOT NULL,
                name character varying DEFAULT 'C:\\Users\\'::character varying,
                "odd\\name" text
            );

            COMMENT ON COLUMN public.res_partner.name IS 'Regexp ^\\d+$, /* not a comment */ -- nor this';

            /* a comment /* nested \\! */ still */
            COPY public.res_partner (id, name, "odd\\name") FROM stdin;
            1\tAzure Interior\t\\N
            2\t\\\\server\\share\t\\! id > /tmp/x
            \\.

            copy public.ir_attachment (id, datas) from STDIN;
            1\t\\\\x89504e47
            \\.

            SELECT pg_catalog.setval('public.res_partner_id_seq', 2, true);
            SELECT E'it\\'s', E'\\\\';

            --
            -- PostgreSQL database dump complete
            --

            \\unrestrict 4xGk1ZbJw9
            """;

    @Test
    void testAcceptsWhatPgDumpWrites()
    {
        assertThatCode(() -> PlainDumpCheck.requireNoMetaCommands(PG_DUMP, "customer.sql")).doesNotThrowAnyException();
    }

    @Test
    void testRefusesAShellCommandNamingItsLine()
    {
        assertRefused("""
                SET client_encoding = 'UTF8';
                CREATE TABLE t (id int);
                \\! id > /tmp/stagehand-owned
                """, "line 3", "'\\!'");
        assertRefused("SELECT 1; \\! id\n", "line 1", "'\\!'");
        assertRefused("SELECT 1 \\gexec\n", "line 1", "'\\gexec'");
    }

    @Test
    void testRefusesEveryOtherMetaCommand()
    {
        for (String command : new String[] {"\\c stagehand", "\\connect postgres", "\\o /etc/cron.d/x", "\\copy t to '/tmp/x'", "\\i /etc/shadow", "\\setenv X y",
                "\\lo_export 1 /tmp/x", "\\w /tmp/x", "\\restrict", "\\restrict bad-key!", "  \\restrict key"}) {
            assertRefused("CREATE TABLE t (id int);\n" + command + "\n", "line 2");
        }
    }

    @Test
    void testRefusesWhatFollowsACopysData()
    {
        assertRefused("""
                COPY t (id) FROM stdin;
                1
                \\.
                \\! id
                """, "line 4", "'\\!'");
        assertRefused("COPY t (id) TO stdout;\n\\! id\n", "line 2");
        assertRefused("COPY t (id)\n  FROM stdin;  SELECT 'x';\n1\n\\.\n", "line 2", "goes on after a COPY");
        assertThatCode(() -> PlainDumpCheck.requireNoMetaCommands("COPY t (id)\n  FROM stdin; -- data follows\n\\!\n\\.\n", "x.sql")).doesNotThrowAnyException();
    }

    @Test
    void testRefusesStandardConformingStringsOtherThanOn()
    {
        // With standard_conforming_strings off, \' escapes the quote and psql reads \! as a command.
        assertRefused("SET standard_conforming_strings = off;\nSELECT 'a\\'' \\! id ';\n", "line 1", "standard_conforming_strings");
        assertRefused("SET SESSION standard_conforming_strings TO on;\n", "line 1", "standard_conforming_strings");
        assertRefused("RESET standard_conforming_strings;\n", "line 1", "standard_conforming_strings");
        assertThatCode(() -> PlainDumpCheck.requireNoMetaCommands("SET standard_conforming_strings = on;\nSELECT 'a\\', 'b''c', '\\n', 'standard_conforming_strings';\n", "x.sql"))
                .doesNotThrowAnyException();
    }

    @Test
    void testBackslashesInQuotesCommentsAndDollarQuotesAreNotCommands()
    {
        assertThatCode(() -> PlainDumpCheck.requireNoMetaCommands("""
                SELECT "a\\b" FROM t; -- \\! in a comment
                /* \\! in a block /* nested */ \\o */
                DO $x$ BEGIN PERFORM '\\!'; END $x$;
                SELECT $$ \\c $$, a$b$c FROM t;
                SELECT $1;
                """, "x.sql")).doesNotThrowAnyException();
        // A dollar sign continuing an identifier starts no quote: the backslash after it is a command.
        assertRefused("SELECT a$b$ \\! id\n", "line 1");
        // The quote of a dollar-quoted body ends at its own tag only.
        assertRefused("SELECT $a$ $b$ $a$ \\! id\n", "line 1");
    }

    @Test
    void testRefusesWhatAReviewFoundPsqlReadsOtherwise()
    {
        // psql ends a comment at a carriage return too.
        assertRefused("SELECT 1; -- x\r\\! touch /tmp/m\nSELECT 2;\n", "line 1", "'\\!'");
        // A COPY whose query reads a table named stdin has no data lines.
        assertRefused("CREATE TEMP TABLE stdin (x int);\nCOPY (SELECT x FROM stdin) TO STDOUT;\n\\! touch /tmp/m\n", "line 3");
        // A number ends before a '$': what follows is a dollar quote, or none.
        assertRefused("SELECT 1$a$ ' $a$ \\! touch /tmp/m\n';\n", "line 1");
        // A '$' that opens no quote is read again from the next character: E' starts an escape string.
        assertRefused("SELECT $E'\\' ' \\! touch /tmp/m\n';\n", "line 1");
        // The setting named in quotes.
        assertRefused("SET \"standard_conforming_strings\" = off;\n", "line 1", "standard_conforming_strings");
        assertRefused("SELECT 1 \u0000 '\n; \\! touch /tmp/m\n';\n", "line 1", "NUL");
        assertRefused("\\restrict " + "A".repeat(300) + " \\! touch /tmp/m\n", "line 1");
    }

    private static void assertRefused(String sql, String... parts)
    {
        assertThatThrownBy(() -> PlainDumpCheck.requireNoMetaCommands(sql, "hostile.sql"))
                .as(sql)
                .isInstanceOfSatisfying(StagehandException.class, e -> org.assertj.core.api.Assertions.assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("hostile.sql")
                .hasMessageContainingAll(parts);
    }
}
