package sh.stagehand.server.git;

import io.javalin.config.JavalinConfig;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.FileResolver;
import org.eclipse.jgit.transport.resolver.ServiceNotAuthorizedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.ProjectIds;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Git repositories kept on the platform itself, for users without GitHub: a project created
 * "hosted" gets a bare repository {@code <data>/git/<project>.git}, which
 * {@code git clone|push http://<server>/git/<project>.git} reaches (JGit's HTTP server). Every
 * request is authenticated (HTTP Basic, any user name, the project's secret as password, until
 * accounts come); a push is built at once, as a webhook would have it built. Thread-safe.
 */
public final class GitHosting
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(GitHosting.class);
    private static final Pattern PROJECT_PATH = Pattern.compile("^/([a-z0-9-]+)\\.git(?:/.*)?$");
    private static final String REALM = "Basic realm=\"Stagehand git\", charset=\"UTF-8\"";
    private static final String ACCOUNT = GitHosting.class.getName() + ".account";

    private final Stagehand stagehand;
    private final Path root;
    private final long maxPushBytes;
    private final ExecutorService pushes = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stagehand-git-push");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param maxPushBytes the largest pack a push may send ({@code http.max-push-bytes})
     */
    public GitHosting(Stagehand stagehand, Path root, long maxPushBytes)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.root = requireNonNull(root, "root is null").toAbsolutePath();
        this.maxPushBytes = maxPushBytes;
    }

    /**
     * Creates the bare repository of a new hosted project, its {@code HEAD} on {@code main}: the
     * first push of {@code main} makes it production.
     *
     * @return the repository's location, for the project
     * @throws StagehandException {@code ALREADY_EXISTS} if the project has a repository here already
     */
    public Path create(String projectId)
    {
        ProjectIds.requireValid(projectId);
        Path repository = repository(projectId);
        if (Files.exists(repository)) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A repository for project " + projectId + " exists already on the server; pick another project id");
        }
        try (Git git = Git.init().setBare(true).setInitialBranch("main").setDirectory(repository.toFile()).call()) {
            git.getRepository().getConfig().setBoolean("http", null, "receivepack", true);
            git.getRepository().getConfig().save();
            return repository;
        }
        catch (GitAPIException | IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot create the repository " + repository + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the repository of a project whose creation failed after it was made.
     */
    public void deleteQuietly(String projectId)
    {
        try {
            org.eclipse.jgit.util.FileUtils.delete(repository(projectId).toFile(), org.eclipse.jgit.util.FileUtils.RECURSIVE | org.eclipse.jgit.util.FileUtils.SKIP_MISSING);
        }
        catch (IOException e) {
            log.warn("Cannot delete {}", repository(projectId), e);
        }
    }

    public Path repository(String projectId)
    {
        return root.resolve(projectId + ".git");
    }

    /**
     * Serves the repositories under {@code /git/}.
     */
    public void register(JavalinConfig config)
    {
        GitServlet servlet = new GitServlet();
        servlet.setRepositoryResolver(new FileResolver<>(root.toFile(), true));
        servlet.setReceivePackFactory((request, repository) -> {
            Account account = (Account) request.getAttribute(ACCOUNT);
            if (account == null) {
                throw new ServiceNotAuthorizedException();
            }
            ReceivePack pack = new ReceivePack(repository);
            // Counted as it comes: a push is refused, and its partial pack deleted, past the limit.
            pack.setMaxPackSizeLimit(maxPushBytes);
            pack.setRefLogIdent(new PersonIdent(account.name(), account.login() + "@stagehand"));
            // A push changes the branches it names: each needs its stage's settings (a developer
            // pushes to development branches, a tester to staging ones too, an admin anywhere).
            pack.setPreReceiveHook((receivePack, commands) -> {
                String projectId = projectOf(repository);
                for (ReceiveCommand command : commands) {
                    try {
                        stagehand.actingAs(account).checkPush(projectId, command.getRefName());
                    }
                    catch (StagehandException e) {
                        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, e.getMessage());
                    }
                }
            });
            pack.setPostReceiveHook((receivePack, commands) -> {
                if (commands.stream().anyMatch(command -> command.getResult() == ReceiveCommand.Result.OK)) {
                    String projectId = projectOf(repository);
                    // What reaches staging or production is audited, as any change of theirs.
                    for (ReceiveCommand command : commands) {
                        if (command.getResult() == ReceiveCommand.Result.OK) {
                            stagehand.actingAs(account).pushed(projectId, command.getRefName(), command.getNewId().name());
                        }
                    }
                    // After the push answers: its builds are queued as the poll finds the new heads.
                    pushes.submit(() -> {
                        try {
                            stagehand.projects().poll(projectId);
                        }
                        catch (RuntimeException e) {
                            log.warn("A push to {} was received, but building it failed: {}", projectId, e.getMessage(), e);
                        }
                    });
                }
            });
            return pack;
        });
        config.jetty.modifyServletContextHandler(handler -> {
            handler.addFilter(new FilterHolder(new Authentication()), "/git/*", EnumSet.of(DispatcherType.REQUEST));
            handler.addServlet(new ServletHolder(servlet), "/git/*");
        });
    }

    private String projectOf(Repository repository)
    {
        String name = repository.getDirectory().getName();
        return name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
    }

    @Override
    public void close()
    {
        pushes.shutdown();
    }

    /**
     * HTTP Basic with an API token as password, of a collaborator of the project; a git client asks
     * for credentials on the 401.
     */
    private final class Authentication
            implements Filter
    {
        @Override
        public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
                throws IOException, ServletException
        {
            HttpServletRequest request = (HttpServletRequest) servletRequest;
            HttpServletResponse response = (HttpServletResponse) servletResponse;
            // Credentials first: who has none learns nothing, not even which projects exist.
            Optional<String[]> credentials = credentials(request.getHeader("Authorization"));
            Optional<Account> account = credentials.flatMap(given -> stagehand.accounts().authenticateToken(given[1]));
            if (account.isEmpty()) {
                response.setHeader("WWW-Authenticate", REALM);
                response.sendError(401, "Give your login and an API token (made on your profile) as password; a revoked token is refused");
                return;
            }
            Matcher path = PROJECT_PATH.matcher(Optional.ofNullable(request.getPathInfo()).orElse(""));
            Optional<Project> project = path.matches() ? stagehand.projects().projects().stream().filter(candidate -> candidate.id().equals(path.group(1))).findFirst() : Optional.empty();
            if (project.isEmpty() || !Files.isDirectory(repository(project.get().id())) || !stagehand.accounts().sees(account.get(), project.get().id())) {
                response.sendError(404, "No repository here; hosted projects' repositories are at /git/<project>.git");
                return;
            }
            request.setAttribute(ACCOUNT, account.get());
            String user = account.get().login();
            chain.doFilter(new HttpServletRequestWrapper(request)
            {
                @Override
                public String getRemoteUser()
                {
                    return user;
                }
            }, response);
        }

        private Optional<String[]> credentials(String header)
        {
            if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? Optional.empty() : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
            }
            catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }
}
