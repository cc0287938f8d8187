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

    /** The URL a {@code VcsProvider} clones from. */
    public String url()
    {
        return directory.toAbsolutePath().toString();
    }

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

    public TestingGitRepository createBranch(String name)
    {
        git("checkout", "--quiet", "-b", name);
        return this;
    }

    public TestingGitRepository switchTo(String name)
    {
        git("checkout", "--quiet", name);
        return this;
    }

    /**
     * Adds another local repository as a submodule at {@code path} (not yet committed).
     */
    public TestingGitRepository addSubmodule(TestingGitRepository submodule, String path)
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
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Stagehand Test", "-c", "user.email=test@stagehand.invalid",
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
