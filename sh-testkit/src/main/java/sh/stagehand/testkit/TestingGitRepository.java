package sh.stagehand.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A real git repository on disk, driven with the {@code git} command line, as a developer's clone
 * would be. Not thread-safe.
 */
public final class TestingGitRepository
        implements TestingRepository
{
    private final Path directory;

    private TestingGitRepository(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Creates an empty repository whose first branch is {@code initialBranch}.
     */
    public static TestingGitRepository init(Path directory, String initialBranch)
    {
        try {
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestingGitRepository repository = new TestingGitRepository(directory);
        repository.git("init", "--quiet", "--initial-branch=" + initialBranch);
        return repository;
    }

    public Path directory()
    {
        return directory;
    }

    @Override
    public String url()
    {
        return directory.toAbsolutePath().toString();
    }

    @Override
    public TestingGitRepository writeFile(String path, String content)
    {
        Path file = directory.resolve(path);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    public TestingGitRepository deleteFile(String path)
    {
        git("rm", "--quiet", path);
        return this;
    }

    /**
     * Stages everything and commits.
     *
     * @return the new commit's id
     */
    @Override
    public String commit(String message)
    {
        git("add", "--all");
        git("commit", "--quiet", "--allow-empty", "-m", message);
        return head();
    }

    public String head()
    {
        return git("rev-parse", "HEAD").strip();
    }

    @Override
    public TestingGitRepository createBranch(String name)
    {
        git("checkout", "--quiet", "-b", name);
        return this;
    }

    @Override
    public TestingGitRepository switchTo(String name)
    {
        git("checkout", "--quiet", name);
        return this;
    }

    @Override
    public void setBranch(String name, String commitId)
    {
        git("branch", "--force", name, commitId);
    }

    @Override
    public void deleteBranch(String name)
    {
        git("branch", "-D", name);
    }

    @Override
    public void setDefaultBranch(String name)
    {
        git("symbolic-ref", "HEAD", "refs/heads/" + name);
    }

    @Override
    public String head(String branch)
    {
        return git("rev-parse", "refs/heads/" + branch).strip();
    }

    @Override
    public CommitRecord inspect(String commitId)
    {
        String[] fields = git("log", "-1", "--format=%P%n%an%n%s", commitId).split("\n", -1);
        return new CommitRecord(fields[0].isBlank() ? List.of() : List.of(fields[0].split(" ")), fields[1], fields[2]);
    }

    /**
     * Adds another local repository as a submodule at {@code path} (not yet committed).
     */
    @Override
    public TestingGitRepository addSubmodule(TestingRepository submodule, String path)
    {
        git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add", submodule.url(), path);
        return this;
    }

    /**
     * Runs git in this repository with a fixed identity and no user or system configuration.
     *
     * @return what it printed on stdout
     */
    public String git(String... arguments)
    {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=" + AUTHOR_NAME, "-c", "user.email=" + AUTHOR_EMAIL,
                "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true);
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("git " + String.join(" ", arguments) + " did not finish in 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", arguments) + " failed with exit code " + process.exitValue() + ":\n" + output);
            }
            return output;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot run git: is it installed?", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running git", e);
        }
    }
}
