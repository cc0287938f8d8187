package sh.stagehand.testkit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.testkit.TestingRepository.CommitRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link VcsProvider} must do, against repositories a test commits to: real git
 * repositories made with the {@code git} command line ({@link TestingGitRepository}), unless
 * {@link #createRepository} makes another kind the provider reads.
 */
public abstract class BaseVcsProviderContractTest
{
    @TempDir
    protected Path temp;

    protected TestingRepository origin;
    protected RemoteRepository remote;
    protected String firstCommit;
    protected String secondCommit;
    protected String featureCommit;

    /** The provider under test; the same instance for every test of one class. */
    protected abstract VcsProvider provider();

    /**
     * A new, empty repository the provider reads at its {@link TestingRepository#url()}; by
     * default a git repository in {@code directory}.
     */
    protected TestingRepository createRepository(Path directory, String initialBranch)
    {
        return TestingGitRepository.init(directory, initialBranch);
    }

    @BeforeEach
    public void createOrigin()
    {
        origin = createRepository(temp.resolve("origin"), "main");
        origin.writeFile("sale_extra/__manifest__.py", "{'name': 'Sale Extra', 'version': '17.0.1.0.0', 'depends': ['sale']}\n")
                .writeFile("sale_extra/__init__.py", "")
                .writeFile("README.md", "addons\n");
        firstCommit = origin.commit("Add sale_extra");
        origin.writeFile("sale_extra/__manifest__.py", "{'name': 'Sale Extra', 'version': '17.0.1.1.0', 'depends': ['sale']}\n")
                .writeFile("stock_extra/__manifest__.py", "{'name': 'Stock Extra', 'depends': ['stock']}\n");
        origin.deleteFile("README.md");
        secondCommit = origin.commit("Bump sale_extra, add stock_extra");
        origin.createBranch("feature/invoice-ü")
                .writeFile("account_extra/__manifest__.py", "{'name': 'Account Extra'}\n");
        featureCommit = origin.commit("Add account_extra");
        origin.switchTo("main");
        remote = remote(origin.url());
    }

    @Test
    public void testFetchListsBranchHeads()
    {
        assertThat(provider().fetch(remote)).containsExactly(
                new BranchHead("feature/invoice-ü", featureCommit),
                new BranchHead("main", secondCommit));
        assertThat(provider().branches(remote)).containsExactly(
                new BranchHead("feature/invoice-ü", featureCommit),
                new BranchHead("main", secondCommit));
    }

    @Test
    public void testListsTheCommitsABranchGained()
    {
        provider().fetch(remote);
        assertThat(provider().commits(remote, Optional.of(firstCommit), featureCommit, 10))
                .containsExactly(
                        new CommitInfo(secondCommit, "Bump sale_extra, add stock_extra\n", "Stagehand Test", "test@stagehand.invalid"),
                        new CommitInfo(featureCommit, "Add account_extra\n", "Stagehand Test", "test@stagehand.invalid"));
        assertThat(provider().commits(remote, Optional.empty(), featureCommit, 10)).extracting(CommitInfo::subject)
                .containsExactly("Add sale_extra", "Bump sale_extra, add stock_extra", "Add account_extra");
        assertThat(provider().commits(remote, Optional.empty(), featureCommit, 2)).as("the newest, oldest first").extracting(CommitInfo::commitId)
                .containsExactly(secondCommit, featureCommit);
        assertThat(provider().commits(remote, Optional.of(featureCommit), featureCommit, 10)).isEmpty();
    }

    @Test
    public void testTellsTheRemotesDefaultBranch()
    {
        assertThat(provider().defaultBranch(remote)).contains("main");
        origin.setDefaultBranch("feature/invoice-ü");
        assertThat(provider().defaultBranch(remote)).contains("feature/invoice-ü");
    }

    @Test
    public void testMergesByFastForwardOrMergeCommitAndPushes()
    {
        origin.setBranch("staging", firstCommit);
        assertThat(provider().merge(remote, "main", "staging", "Stagehand", "noreply@stagehand.test"))
                .isEqualTo(new MergeResult(secondCommit, MergeResult.Kind.FAST_FORWARD));
        assertThat(origin.head("staging")).isEqualTo(secondCommit);

        origin.switchTo("staging");
        String stagingCommit = origin.writeFile("staging_only.txt", "staging\n").commit("Only on staging");
        origin.switchTo("main");
        MergeResult merged = provider().merge(remote, "feature/invoice-ü", "staging", "Stagehand", "noreply@stagehand.test");

        assertThat(merged.kind()).isEqualTo(MergeResult.Kind.MERGE_COMMIT);
        assertThat(origin.head("staging")).isEqualTo(merged.commitId());
        assertThat(origin.inspect(merged.commitId())).isEqualTo(new CommitRecord(List.of(stagingCommit, featureCommit), "Stagehand", "Merge branch 'feature/invoice-ü' into staging"));
        Path mergedTree = temp.resolve("merged");
        provider().checkout(remote, merged.commitId(), mergedTree);
        assertThat(mergedTree.resolve("account_extra/__manifest__.py")).isRegularFile();
        assertThat(mergedTree.resolve("staging_only.txt")).isRegularFile();
        assertThat(provider().branches(remote)).contains(new BranchHead("staging", merged.commitId()));

        assertThat(provider().merge(remote, "feature/invoice-ü", "staging", "Stagehand", "noreply@stagehand.test"))
                .isEqualTo(new MergeResult(merged.commitId(), MergeResult.Kind.UP_TO_DATE));
    }

    @Test
    public void testAConflictingMergePushesNothing()
    {
        origin.setBranch("staging", secondCommit);
        origin.switchTo("staging");
        origin.writeFile("sale_extra/__manifest__.py", "{'name': 'Sale Extra', 'version': '17.0.1.2.0', 'depends': ['sale']}\n").commit("Sale 1.2 on staging");
        origin.switchTo("main");
        origin.writeFile("sale_extra/__manifest__.py", "{'name': 'Sale Extra', 'version': '17.0.2.0.0', 'depends': ['sale', 'stock']}\n").commit("Sale 2.0 on main");
        String stagingBefore = origin.head("staging");

        assertThatThrownBy(() -> provider().merge(remote, "main", "staging", "Stagehand", "noreply@stagehand.test"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()))
                .hasMessageContaining("sale_extra/__manifest__.py")
                .hasMessageContaining("Nothing was pushed");
        assertThat(origin.head("staging")).isEqualTo(stagingBefore);
        assertThatThrownBy(() -> provider().merge(remote, "no-such-branch", "staging", "Stagehand", "noreply@stagehand.test"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testCommitsEditedFilesOnTheBranchHeadAndPushesNeverOverAnother()
    {
        String branch = "feature/invoice-ü";
        provider().fetch(remote);
        String committed = provider().commit(remote, branch, featureCommit, Map.of(
                        "account_extra/__manifest__.py", "{'name': 'Account Extra', 'version': '17.0.1.1.0'}\n".getBytes(UTF_8),
                        "account_extra/models/invoice.py", "# new\n".getBytes(UTF_8)),
                "Azure Interior", "azure@example.com", "Edit account_extra online");

        assertThat(origin.head(branch)).isEqualTo(committed);
        assertThat(origin.inspect(committed)).isEqualTo(new CommitRecord(List.of(featureCommit), "Azure Interior", "Edit account_extra online"));
        Path tree = temp.resolve("committed");
        provider().checkout(remote, committed, tree);
        assertThat(tree.resolve("account_extra/models/invoice.py")).hasContent("# new");
        assertThat(tree.resolve("account_extra/__manifest__.py")).content().contains("17.0.1.1.0");
        assertThat(tree.resolve("sale_extra/__manifest__.py")).as("the rest of the tree, as it was").isRegularFile();

        // Over a head that moved on, nothing is pushed.
        assertThatThrownBy(() -> provider().commit(remote, branch, featureCommit, Map.of("account_extra/x.py", "x\n".getBytes(UTF_8)), "Azure Interior", "azure@example.com", "Late"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()));
        assertThat(origin.head(branch)).isEqualTo(committed);
        for (String path : List.of("../escape.py", "/etc/passwd", ".git/config", "a/./b.py", "sale_extra", "sale_extra/__init__.py/x")) {
            assertThatThrownBy(() -> provider().commit(remote, branch, committed, Map.of(path, "x".getBytes(UTF_8)), "Azure Interior", "azure@example.com", "Bad"))
                    .as(path)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        }
        assertThatThrownBy(() -> provider().commit(remote, branch, committed, Map.of("account_extra/models/invoice.py", "# new\n".getBytes(UTF_8)), "A", "a@example.com", "Same"))
                .as("nothing changed").isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        assertThat(origin.head(branch)).isEqualTo(committed);
    }

    @Test
    public void testFetchSeesNewCommitsAndDeletedBranches()
    {
        provider().fetch(remote);
        String thirdCommit = origin.writeFile("stock_extra/__init__.py", "").commit("Add init");
        origin.deleteBranch("feature/invoice-ü");

        assertThat(provider().fetch(remote)).containsExactly(new BranchHead("main", thirdCommit));
    }

    @Test
    public void testResolvesBranchesAndAbbreviatedIds()
    {
        provider().fetch(remote);
        assertThat(provider().resolve(remote, "main")).isEqualTo(secondCommit);
        assertThat(provider().resolve(remote, "feature/invoice-ü")).isEqualTo(featureCommit);
        assertThat(provider().resolve(remote, firstCommit.substring(0, 10))).isEqualTo(firstCommit);
        assertThatThrownBy(() -> provider().resolve(remote, "no-such-branch"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testChecksOutEachRevisionAsCommitted()
    {
        provider().fetch(remote);
        Path first = temp.resolve("first");
        Path second = temp.resolve("second");
        provider().checkout(remote, firstCommit, first);
        provider().checkout(remote, secondCommit, second);

        assertThat(first.resolve("sale_extra/__manifest__.py")).content(StandardCharsets.UTF_8).contains("17.0.1.0.0");
        assertThat(second.resolve("sale_extra/__manifest__.py")).content(StandardCharsets.UTF_8).contains("17.0.1.1.0");
        assertThat(second.resolve("README.md")).doesNotExist();
        assertThat(second.resolve("stock_extra/__manifest__.py")).isRegularFile();
    }

    @Test
    public void testChecksOutRevisionWithoutGitMetadata()
            throws IOException
    {
        provider().fetch(remote);
        Path workspace = temp.resolve("workspace");
        assertThat(provider().checkout(remote, firstCommit, workspace)).as("no submodules").isEmpty();

        assertThat(workspace.resolve("README.md")).hasContent("addons");
        assertThat(workspace.resolve("sale_extra/__manifest__.py")).content().contains("17.0.1.0.0");
        assertThat(workspace.resolve("stock_extra")).doesNotExist();
        assertThat(workspace.resolve(".git")).doesNotExist();

        Files.createDirectories(temp.resolve("busy"));
        Files.writeString(temp.resolve("busy/file"), "x");
        assertThatThrownBy(() -> provider().checkout(remote, firstCommit, temp.resolve("busy")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));
    }

    @Test
    public void testChecksOutSubmodules()
    {
        TestingRepository library = createRepository(temp.resolve("library"), "main");
        library.writeFile("web_theme/__manifest__.py", "{'name': 'Theme'}\n");
        String libraryCommit = library.commit("Add theme");
        String withSubmodule = origin.addSubmodule(library, "vendor/library").commit("Add library as a submodule");
        library.writeFile("web_theme/__manifest__.py", "{'name': 'Theme, changed after the superproject recorded it'}\n").commit("Later change");

        provider().fetch(remote);
        Path workspace = temp.resolve("workspace");
        assertThat(provider().checkout(remote, withSubmodule, workspace)).containsExactly("vendor/library");

        assertThat(workspace.resolve("vendor/library/web_theme/__manifest__.py")).hasContent("{'name': 'Theme'}");
        assertThat(workspace.resolve("vendor/library/.git")).doesNotExist();
        assertThat(libraryCommit).isNotBlank();
    }

    @Test
    public void testUnknownRevisionsAndRemotes()
    {
        provider().fetch(remote);
        String unknown = "0123456789abcdef0123456789abcdef01234567";
        assertThatThrownBy(() -> provider().checkout(remote, unknown, temp.resolve("nowhere")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));

        RemoteRepository missing = remote(temp.resolve("no-such-repository").toString());
        assertThatThrownBy(() -> provider().fetch(missing))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()))
                .hasMessageContaining("no-such-repository");
        assertThatThrownBy(() -> provider().branches(remote(temp.resolve("never-fetched").toString())))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    /** A repository reached without credentials. */
    protected static RemoteRepository remote(String url)
    {
        return new RemoteRepository(url, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
