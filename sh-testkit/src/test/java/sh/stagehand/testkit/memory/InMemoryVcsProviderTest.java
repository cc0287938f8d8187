package sh.stagehand.testkit.memory;

import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.testkit.BaseVcsProviderContractTest;
import sh.stagehand.testkit.TestingRepository;

import java.nio.file.Path;

class InMemoryVcsProviderTest
        extends BaseVcsProviderContractTest
{
    private final InMemoryVcsProvider provider = new InMemoryVcsProvider();

    @Override
    protected VcsProvider provider()
    {
        return provider;
    }

    @Override
    protected TestingRepository createRepository(Path directory, String initialBranch)
    {
        return provider.repository(directory.toString(), initialBranch);
    }
}
