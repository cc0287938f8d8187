package sh.stagehand.core.access;

import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.core.store.ProjectStore;

class InMemoryAccountStoreTest
        extends BaseAccountStoreContractTest
{
    private final InMemoryAccountStore accounts = new InMemoryAccountStore();
    private final InMemoryPlatformStore projects = new InMemoryPlatformStore();

    @Override
    protected AccountStore accounts()
    {
        return accounts;
    }

    @Override
    protected ProjectStore projects()
    {
        return projects;
    }
}
