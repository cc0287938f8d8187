package sh.stagehand.testkit.memory;

import sh.stagehand.testkit.TestingRepository;
import sh.stagehand.testkit.TestingRepository.CommitRecord;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A working tree on one of the repositories: files written and deleted, then committed to its
 * current branch.
 */
final class InMemoryWorkingTree
        implements TestingRepository
{
    private final InMemoryVcsProvider provider;
    private final String url;
    private final Map<String, String> files = new TreeMap<>();
    private final Map<String, InMemoryVcsProvider.Submodule> submodules = new TreeMap<>();
    private String branch;

    InMemoryWorkingTree(InMemoryVcsProvider provider, String url, String branch)
    {
        this.provider = requireNonNull(provider, "provider is null");
        this.url = requireNonNull(url, "url is null");
        this.branch = requireNonNull(branch, "branch is null");
    }

    @Override
    public String url()
    {
        return url;
    }

    @Override
    public TestingRepository writeFile(String path, String content)
    {
        files.put(path, content);
        return this;
    }

    @Override
    public TestingRepository deleteFile(String path)
    {
        if (files.remove(path) == null) {
            throw new IllegalArgumentException("No file " + path + " in the working tree of " + url);
        }
        return this;
    }

    @Override
    public String commit(String message)
    {
        synchronized (provider) {
            InMemoryVcsProvider.Repository repository = provider.repositoryAt(url);
            List<String> parents = Optional.ofNullable(repository.branches.get(branch)).stream().toList();
            String id = provider.store(repository, parents, files, submodules, TestingRepository.AUTHOR_NAME, TestingRepository.AUTHOR_EMAIL, message + "\n");
            repository.branches.put(branch, id);
            return id;
        }
    }

    @Override
    public TestingRepository createBranch(String name)
    {
        synchronized (provider) {
            InMemoryVcsProvider.Repository repository = provider.repositoryAt(url);
            if (repository.branches.containsKey(name)) {
                throw new IllegalArgumentException("Branch " + name + " exists in " + url);
            }
            Optional.ofNullable(repository.branches.get(branch)).ifPresent(head -> repository.branches.put(name, head));
            branch = name;
            return this;
        }
    }

    @Override
    public TestingRepository switchTo(String name)
    {
        synchronized (provider) {
            InMemoryVcsProvider.Repository repository = provider.repositoryAt(url);
            InMemoryVcsProvider.Commit head = InMemoryVcsProvider.commit(repository, url, head(name));
            files.clear();
            files.putAll(head.files());
            submodules.clear();
            submodules.putAll(head.submodules());
            branch = name;
            return this;
        }
    }

    @Override
    public void setBranch(String name, String commitId)
    {
        synchronized (provider) {
            InMemoryVcsProvider.Repository repository = provider.repositoryAt(url);
            InMemoryVcsProvider.commit(repository, url, commitId);
            repository.branches.put(name, commitId);
        }
    }

    @Override
    public void deleteBranch(String name)
    {
        synchronized (provider) {
            if (provider.repositoryAt(url).branches.remove(name) == null) {
                throw new IllegalArgumentException("No branch " + name + " in " + url);
            }
        }
    }

    @Override
    public void setDefaultBranch(String name)
    {
        synchronized (provider) {
            provider.repositoryAt(url).defaultBranch = name;
        }
    }

    @Override
    public String head(String name)
    {
        synchronized (provider) {
            String head = provider.repositoryAt(url).branches.get(name);
            if (head == null) {
                throw new IllegalArgumentException("No branch " + name + " in " + url);
            }
            return head;
        }
    }

    @Override
    public CommitRecord inspect(String commitId)
    {
        synchronized (provider) {
            InMemoryVcsProvider.Commit commit = InMemoryVcsProvider.commit(provider.repositoryAt(url), url, commitId);
            return new CommitRecord(commit.parents(), commit.authorName(), commit.subject());
        }
    }

    @Override
    public TestingRepository addSubmodule(TestingRepository submodule, String path)
    {
        if (!(submodule instanceof InMemoryWorkingTree other) || other.outer() != provider) {
            throw new IllegalArgumentException("A submodule of an in-memory repository is another repository of the same provider");
        }
        submodules.put(path, new InMemoryVcsProvider.Submodule(other.url, other.head(other.branch)));
        return this;
    }

    private InMemoryVcsProvider outer()
    {
        return provider;
    }
}
