package sh.stagehand.testkit;

import java.util.List;

/**
 * A repository a test commits to, as a developer would, and a {@code VcsProvider} reads from its
 * {@link #url()}: a real git repository ({@link TestingGitRepository}) or one held in memory
 * ({@link sh.stagehand.testkit.memory.InMemoryVcsProvider#repository}). Commits are made by
 * {@link #AUTHOR_NAME} &lt;{@link #AUTHOR_EMAIL}&gt;. Not thread-safe.
 */
public interface TestingRepository
{
    String AUTHOR_NAME = "Stagehand Test";
    String AUTHOR_EMAIL = "test@stagehand.invalid";

    /** The URL a {@code VcsProvider} reads from. */
    String url();

    /** Writes a file into the working tree; {@link #commit} records it. */
    TestingRepository writeFile(String path, String content);

    /** Deletes a file from the working tree; {@link #commit} records it. */
    TestingRepository deleteFile(String path);

    /**
     * Commits the working tree to the current branch.
     *
     * @return the new commit's id
     */
    String commit(String message);

    /** Makes a branch at the current commit and switches to it. */
    TestingRepository createBranch(String name);

    /** Switches the working tree to a branch. */
    TestingRepository switchTo(String name);

    /** Makes a branch at {@code commitId}, or moves it there, without switching to it. */
    void setBranch(String name, String commitId);

    void deleteBranch(String name);

    /** Makes {@code name} the branch a clone checks out, the remote's {@code HEAD}. */
    void setDefaultBranch(String name);

    /** The commit a branch points at. */
    String head(String branch);

    /** What a commit records: its parents, its author, its subject. */
    CommitRecord inspect(String commitId);

    /**
     * Records {@code submodule}'s current commit at {@code path}, committed by the next {@link #commit}.
     */
    TestingRepository addSubmodule(TestingRepository submodule, String path);

    record CommitRecord(List<String> parents, String authorName, String subject)
    {
        public CommitRecord
        {
            parents = List.copyOf(parents);
        }
    }
}
