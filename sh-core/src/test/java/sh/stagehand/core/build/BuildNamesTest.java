package sh.stagehand.core.build;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.database.DatabaseNames;

import static org.assertj.core.api.Assertions.assertThat;

class BuildNamesTest
{
    @Test
    void testFoldsOddBranchNamesToDnsLabels()
    {
        assertThat(BuildNames.databaseName("acme", "main", 42)).isEqualTo("acme-main-42");
        assertThat(BuildNames.databaseName("acme", "feature/Ünïcode#1", 7)).isEqualTo("acme-feature-unicode-1-7");
        assertThat(BuildNames.databaseName("acme", "---", 7)).isEqualTo("acme-branch-7");
        assertThat(BuildNames.hostname("acme", "fix/Invoice", 9, "stagehand.example")).isEqualTo("acme-fix-invoice-9.stagehand.example");
    }

    @Test
    void testLongBranchNamesStayWithin63Characters()
    {
        String name = BuildNames.databaseName("a-twenty-char-projec", "feature/" + "very-long-".repeat(20), 123456789);
        assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-123456789").doesNotContain("--");
        assertThat(DatabaseNames.isValid(name)).isTrue();
    }
}
