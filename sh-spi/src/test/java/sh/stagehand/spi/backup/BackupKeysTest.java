package sh.stagehand.spi.backup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupKeysTest
{
    @Test
    void testAcceptsHierarchicalKeys()
    {
        assertThat(BackupKeys.requireValid("acme/production/daily/2026-11-24T03-00-00.zip")).isNotEmpty();
        assertThat(BackupKeys.requireValid("a..b")).isEqualTo("a..b");
    }

    @Test
    void testRejectsEscapesAndEmptySegments()
    {
        for (String key : new String[] {"..", "a/../b", "./a", "/a", "a/", "a//b", "a b", "a\\b", ""}) {
            assertThatThrownBy(() -> BackupKeys.requireValid(key)).as(key).hasMessageContaining("key");
        }
    }
}
