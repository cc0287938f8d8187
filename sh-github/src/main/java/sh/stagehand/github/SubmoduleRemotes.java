package sh.stagehand.github;

import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.BlobBasedConfig;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which remote each submodule of a commit is fetched from: the URLs its {@code .gitmodules} gives,
 * relative ones resolved as git does, with the project's credentials given only to the project's
 * own host. Stateless.
 */
final class SubmoduleRemotes
{
    private SubmoduleRemotes() {}

    /**
     * The URL {@code .gitmodules} of {@code commit} gives each submodule, by its path.
     */
    static Map<String, String> urlsByPath(RemoteRepository remote, Repository repository, RevCommit commit)
            throws IOException
    {
        Config gitmodules;
        try (TreeWalk walk = TreeWalk.forPath(repository, Constants.DOT_GIT_MODULES, commit.getTree())) {
            if (walk == null) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Commit " + commit.name() + " of " + remote + " has submodules but no .gitmodules");
            }
            gitmodules = new BlobBasedConfig(null, repository, walk.getObjectId(0));
        }
        catch (ConfigInvalidException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, ".gitmodules of commit " + commit.name() + " of " + remote + " is malformed: " + e.getMessage(), e);
        }
        Map<String, String> urlsByPath = new LinkedHashMap<>();
        for (String name : gitmodules.getSubsections("submodule")) {
            String path = gitmodules.getString("submodule", name, "path");
            String url = gitmodules.getString("submodule", name, "url");
            if (path != null && url != null) {
                urlsByPath.put(path, url);
            }
        }
        return urlsByPath;
    }

    /**
     * The remote of a submodule. The project's token and deploy key go only to the project's own
     * host, never to a host a repository names. A submodule is on the platform's disk only when
     * the repository itself is, and is not one the platform keeps for a tenant: a remote or hosted
     * repository cannot name a path here (another project's repository, the platform's cache).
     */
    static RemoteRepository submoduleRemote(RemoteRepository parent, String url, String path)
    {
        Optional<String> parentHost = remoteHost(parent.publicUrl().orElse(parent.url()));
        Optional<String> host = remoteHost(url);
        if ((parentHost.isPresent() || parent.publicUrl().isPresent()) && host.isEmpty()) {
            throw RepositoryUrlPolicy.refused(url, "submodule " + path + " of " + parent + " names a repository on the platform's disk; the submodules of a remote "
                    + "or hosted repository must be remote too. Give the submodule its https or ssh URL");
        }
        boolean sameHost = parentHost.isPresent() && parentHost.equals(host);
        return new RemoteRepository(url, sameHost ? parent.token() : Optional.empty(), sameHost ? parent.deployKey() : Optional.empty(), Optional.empty());
    }

    // A relative submodule URL ("../lib.git") is relative to the superproject's remote, as git does it.
    static String resolveSubmoduleUrl(String parentUrl, String url)
    {
        if (!url.startsWith("./") && !url.startsWith("../")) {
            return url;
        }
        String base = parentUrl.replaceAll("/+$", "");
        String rest = url;
        while (true) {
            if (rest.startsWith("./")) {
                rest = rest.substring(2);
            }
            else if (rest.startsWith("../")) {
                int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf(':'));
                base = slash > 0 ? base.substring(0, slash) : base;
                rest = rest.substring(3);
            }
            else {
                return base + "/" + rest;
            }
        }
    }

    // The scheme and host of a remote URL; empty for a local path or file:// URL.
    private static Optional<String> remoteHost(String url)
    {
        try {
            URIish uri = new URIish(url);
            if (uri.getHost() == null || "file".equals(uri.getScheme())) {
                return Optional.empty();
            }
            return Optional.of(uri.getHost().toLowerCase(Locale.ROOT));
        }
        catch (URISyntaxException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Not a git URL: " + url, e);
        }
    }
}
