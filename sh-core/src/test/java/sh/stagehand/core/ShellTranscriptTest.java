package sh.stagehand.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShellTranscriptTest
{
    @Test
    void testALineTypedIsKeptPrintable()
    {
        assertThat(ShellTranscript.printable("psql -c 'select 1'")).isEqualTo("psql -c 'select 1'");
        // Line and paragraph separators, controls, bidirectional overrides, and the escape's own backslash.
        assertThat(ShellTranscript.printable("a\u2028admin$ rm -rf /")).isEqualTo("a\\u2028admin$ rm -rf /");
        assertThat(ShellTranscript.printable("x\u0085y\u2029z\u202Ew\u009b2J")).isEqualTo("x\\u0085y\\u2029z\\u202ew\\u009b2J");
        assertThat(ShellTranscript.printable("c:\\u2028")).as("a backslash typed").isEqualTo("c:\\u005cu2028");
        assertThat(ShellTranscript.printable("échange €")).isEqualTo("échange €");
    }
}
