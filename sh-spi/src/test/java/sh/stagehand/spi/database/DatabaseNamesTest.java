package sh.stagehand.spi.database;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseNamesTest
{
    @Test
    void testAcceptsOdooNames()
    {
        for (String name : new String[] {"acme", "acme-main-42", "Acme_Prod.2026", "1st", "a".repeat(63)}) {
            assertThat(DatabaseNames.isValid(name)).as(name).isTrue();
            assertThat(DatabaseNames.requireValid(name)).isEqualTo(name);
        }
    }

    @Test
    void testRejectsWithTheReason()
    {
        assertThatThrownBy(() -> DatabaseNames.requireValid("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> DatabaseNames.requireValid("a".repeat(64))).hasMessageContaining("64 characters").hasMessageContaining("63");
        assertThatThrownBy(() -> DatabaseNames.requireValid("db\"; drop")).isInstanceOf(StagehandException.class).hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> DatabaseNames.requireValid(".hidden")).hasMessageContaining("starting with a letter or digit");
        assertThat(DatabaseNames.isValid(null)).isFalse();
    }

    @Test
    void testPrefixes()
    {
        assertThat(DatabaseNames.requireValidPrefix("")).isEmpty();
        assertThat(DatabaseNames.requireValidPrefix("acme-")).isEqualTo("acme-");
        assertThatThrownBy(() -> DatabaseNames.requireValidPrefix("acme%")).hasMessageContaining("acme%");
    }
}
