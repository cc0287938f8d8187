package sh.stagehand.core.pipeline;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.project.Branch;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DevelopmentPipelineTest
{
    @Test
    void testWithoutBranchTagsTheBuildTestsTheModulesItInstalls()
    {
        Branch branch = Branch.development("acme", "main");

        assertThat(DevelopmentPipeline.testTags(branch, List.of("sale_extra", "stock_extra"))).contains("/sale_extra,/stock_extra");
    }

    @Test
    void testWithoutModulesOfItsOwnTheBuildRunsNoTests()
    {
        assertThat(DevelopmentPipeline.testTags(Branch.development("acme", "main"), List.of())).isEmpty();
    }

    @Test
    void testBranchTagsAreUsedAsTheyAre()
    {
        Branch branch = new Branch("acme", "main", Branch.development("acme", "main").stage(), Branch.development("acme", "main").moduleSelection(),
                List.of(), Optional.of("standard,-slow"), false);

        assertThat(DevelopmentPipeline.testTags(branch, List.of("sale_extra"))).contains("standard,-slow");
        assertThat(DevelopmentPipeline.testTags(branch, List.of())).contains("standard,-slow");
    }
}
