package sh.stagehand.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseClient;
import io.javalin.router.exception.HttpResponseExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Actions;
import sh.stagehand.core.ProjectService;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.server.ServerErrorCode;
import sh.stagehand.server.ServerLimits;
import sh.stagehand.server.git.GitHosting;
import sh.stagehand.spi.ErrorCode;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The platform's HTTP API. Each handler reads the request, calls sh-core, and writes JSON; a
 * {@link StagehandException} becomes a status and {@code {"error": CODE, "message": ...}}.
 */
public final class ApiRoutes
{
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

    private final Stagehand stagehand;
    private final java.util.function.Supplier<String> publicUrl;
    private final GitHosting git;
    private final Authentication authentication;
    private final ServerLimits limits;
    private final List<String> routes = new java.util.ArrayList<>();
    // Webhook payloads being read at once share this many bytes: more wait for GitHub's next try.
    private final java.util.concurrent.Semaphore webhookBudget = new java.util.concurrent.Semaphore((int) (4 * ServerLimits.MAX_WEBHOOK_BYTES));

    public ApiRoutes(Stagehand stagehand, java.util.function.Supplier<String> publicUrl, GitHosting git, Authentication authentication, ServerLimits limits)
    {
        this.limits = requireNonNull(limits, "limits is null");
        this.authentication = requireNonNull(authentication, "authentication is null");
        this.git = requireNonNull(git, "git is null");
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.publicUrl = requireNonNull(publicUrl, "publicUrl is null");
    }

    public void register(JavalinConfig config)
    {
        config.routes.exception(StagehandException.class, this::error);
        config.routes.exception(IllegalArgumentException.class, (e, context) -> error(new StagehandException(StandardErrorCode.INVALID_ARGUMENT, e.getMessage(), e), context));
        config.routes.exception(JsonProcessingException.class, (e, context) -> error(new StagehandException(StandardErrorCode.INVALID_ARGUMENT, unreadableJson(e), e), context));
        // Javalin's own refusal of a body over http.maxRequestSize (every JSON body), said as ours.
        config.routes.exception(HttpResponseException.class, (e, context) -> {
            if (e.getStatus() == HttpStatus.CONTENT_TOO_LARGE.getCode()) {
                error(new StagehandException(ServerErrorCode.CONTENT_TOO_LARGE, "The request body goes on past " + RequestBodies.size(ServerLimits.MAX_JSON_BYTES)
                        + ", the most an API request takes: send settings as JSON, not files (a database goes to POST /api/projects/{project}/import/{branch})", e), context);
            }
            else {
                HttpResponseExceptionMapper.INSTANCE.handle(e, context);
            }
        });
        config.routes.exception(NotFoundResponse.class, (e, context) -> error(new StagehandException(StandardErrorCode.NOT_FOUND, "No route " + context.method() + " " + context.path()
                + "; the API is described at " + publicUrl() + "/api/openapi.yaml", e), context));

        get(config, "/api/openapi.yaml", context -> context.contentType("application/yaml; charset=utf-8").result(openApi()));

        post(config, "/webhooks/github/{project}", this::webhook);

        get(config, "/api/projects", context -> context.json(actions(context).projects().stream().map(project -> projectView(context, project, false)).toList()));
        post(config, "/api/projects", this::createProject);
        get(config, "/api/projects/{project}", context -> context.json(projectView(context, actions(context).project(context.pathParam("project")), false)));
        put(config, "/api/projects/{project}", context -> {
            ProjectSettingsRequest request = context.bodyAsClass(ProjectSettingsRequest.class);
            if (request == null || request.trial() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"trial\": true} or {\"trial\": false}");
            }
            context.json(projectView(context, actions(context).setTrial(context.pathParam("project"), request.trial()), false));
        });
        post(config, "/api/projects/{project}/merge", this::merge);
        get(config, "/api/projects/{project}/backups", context -> context.json(actions(context).backups(context.pathParam("project")).stream().map(this::backupView).toList()));
        post(config, "/api/projects/{project}/backups", context -> context.status(HttpStatus.CREATED)
                .json(backupView(actions(context).createBackup(context.pathParam("project")))));
        get(config, "/api/projects/{project}/backups/{backup}", context -> context.json(backupView(actions(context).backup(context.pathParam("project"), context.pathParam("backup")))));
        post(config, "/api/projects/{project}/backups/{backup}/verify", context -> {
            actions(context).verifyBackup(context.pathParam("project"), context.pathParam("backup"));
            context.json(backupView(actions(context).backup(context.pathParam("project"), context.pathParam("backup"))));
        });
        get(config, "/api/projects/{project}/backups/{backup}/download", this::downloadBackup);
        get(config, "/api/projects/{project}/backups/{backup}/logs/{log}", context -> {
            LogName name = LogName.fromFileName(context.pathParam("log"));
            context.contentType("text/plain; charset=utf-8");
            actions(context).writeBackupLog(context.pathParam("project"), context.pathParam("backup"), name, context.outputStream());
        });
        post(config, "/api/projects/{project}/import/<branch>", this::importDatabase);
        post(config, "/api/projects/{project}/backups/{backup}/restore/<branch>", context -> context.json(Views.build(
                actions(context).restoreInto(context.pathParam("project"), context.pathParam("backup"), context.pathParam("branch")))));
        post(config, "/api/projects/{project}/backups/{backup}/restore", context -> context.json(Map.of(
                "restored", context.pathParam("backup"),
                "before", backupView(actions(context).restore(context.pathParam("project"), context.pathParam("backup"))))));
        post(config, "/api/projects/{project}/poll", context -> context.json(actions(context).poll(context.pathParam("project")).stream().map(Views::build).toList()));
        get(config, "/api/projects/{project}/overview", context -> overview(context));
        get(config, "/api/projects/{project}/branches", context -> context.json(actions(context).branches(context.pathParam("project")).stream().map(Views::branch).toList()));
        get(config, "/api/projects/{project}/branches/<branch>", context -> context.json(Views.branch(actions(context).branch(context.pathParam("project"), context.pathParam("branch")))));
        put(config, "/api/projects/{project}/branches/<branch>", this::saveBranch);
        post(config, "/api/projects/{project}/rebuild/<branch>", context -> context.status(HttpStatus.ACCEPTED)
                .json(Views.build(actions(context).rebuildBranch(context.pathParam("project"), context.pathParam("branch")))));
        get(config, "/api/projects/{project}/history", context -> context.json(actions(context)
                .history(context.pathParam("project"), Optional.ofNullable(context.queryParam("branch")), limit(context)).stream().map(Views::event).toList()));
        get(config, "/api/projects/{project}/builds", context -> context.json(actions(context)
                .builds(context.pathParam("project"), required(context, "branch")).stream().map(Views::build).toList()));

        get(config, "/api/builds/{build}", context -> context.json(Views.build(actions(context).build(buildId(context)))));
        post(config, "/api/builds/{build}/discard", context -> context.json(Views.build(actions(context).discard(buildId(context)))));
        post(config, "/api/builds/{build}/rebuild", context -> context.status(HttpStatus.ACCEPTED).json(Views.build(actions(context).rebuild(buildId(context)))));
        get(config, "/api/builds/{build}/mails", context -> context.json(actions(context).mails(buildId(context)).stream().map(Views::mail).toList()));
        get(config, "/api/builds/{build}/logs/{log}", context -> {
            // Streamed from the file: a build may print gigabytes.
            LogName name = LogName.fromFileName(context.pathParam("log"));
            long buildId = buildId(context);
            context.contentType("text/plain; charset=utf-8");
            actions(context).writeLog(buildId, name, context.outputStream());
        });
        sse(config, "/api/builds/{build}/logs/{log}/follow", this::followLog);

        get(config, "/api/hosts", this::host);

        // Who asks: a session (the web pages) or a token (scripts).
        post(config, "/api/session", this::logIn);
        get(config, "/api/session", context -> context.json(accountView(context)));
        delete(config, "/api/session", context -> {
            authentication.logOut(context);
            context.status(HttpStatus.NO_CONTENT);
        });
        get(config, "/api/account", context -> context.json(accountView(context)));
        put(config, "/api/account/password", context -> {
            PasswordRequest request = context.bodyAsClass(PasswordRequest.class);
            if (request == null || request.current() == null || request.password() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"current\": \"...\", \"password\": \"the new one\"}");
            }
            // Every token and every other session ends; this one goes on under a new id and CSRF token.
            var session = authentication.changePassword(context, request.current(), request.password());
            context.json(Views.account(session.account(), stagehand.accounts().roles(session.account()), session.csrfToken()));
        });
        get(config, "/api/account/tokens", context -> context.json(stagehand.accounts().tokens(Authentication.account(context)).stream().map(token -> Views.token(token, null)).toList()));
        post(config, "/api/account/tokens", context -> {
            NameRequest request = context.bodyAsClass(NameRequest.class);
            var issued = stagehand.accounts().createToken(Authentication.requireSession(context), request == null ? null : request.name());
            context.status(HttpStatus.CREATED).json(Views.token(issued.token(), issued.secret()));
        });
        delete(config, "/api/account/tokens/{token}", context -> context.json(Views.token(stagehand.accounts().revokeToken(Authentication.account(context), context.pathParam("token")), null)));
        get(config, "/api/account/ssh-keys", context -> context.json(stagehand.accounts().sshKeys(Authentication.account(context)).stream().map(Views::sshKey).toList()));
        post(config, "/api/account/ssh-keys", context -> {
            SshKeyRequest request = context.bodyAsClass(SshKeyRequest.class);
            if (request == null || request.github() == null && request.key() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"key\": \"ssh-ed25519 AAAA... me@laptop\", \"title\": optional}, or {\"github\": \"octocat\"} to import a GitHub user's public keys");
            }
            Account account = Authentication.requireSession(context);
            List<sh.stagehand.core.access.SshKey> added = request.github() != null
                    ? stagehand.accounts().importGitHubKeys(account, request.github())
                    : List.of(stagehand.accounts().addSshKey(account, request.key(), request.title()));
            context.status(HttpStatus.CREATED).json(added.stream().map(Views::sshKey).toList());
        });
        delete(config, "/api/account/ssh-keys", context -> {
            stagehand.accounts().removeSshKey(Authentication.requireSession(context), required(context, "fingerprint"));
            context.status(HttpStatus.NO_CONTENT);
        });
        get(config, "/api/accounts", context -> context.json(stagehand.accounts().accounts(Authentication.account(context)).stream()
                .map(account -> Views.account(account, Map.of(), null)).toList()));
        post(config, "/api/accounts", context -> {
            AccountRequest request = context.bodyAsClass(AccountRequest.class);
            if (request == null || request.login() == null || request.password() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"login\": \"azure\", \"name\": \"Azure Interior\", \"password\": \"...\", \"platformAdmin\": false}");
            }
            Account created = stagehand.accounts().createAccount(Authentication.account(context), request.login(), request.name(), request.password(), Boolean.TRUE.equals(request.platformAdmin()));
            context.status(HttpStatus.CREATED).json(Views.account(created, Map.of(), null));
        });
        get(config, "/api/projects/{project}/collaborators", context -> context.json(stagehand.accounts().collaborators(Authentication.account(context), context.pathParam("project")).stream()
                .map(collaborator -> new Views.CollaboratorView(collaborator.login(), collaborator.role().name())).toList()));
        put(config, "/api/projects/{project}/collaborators/{login}", context -> {
            RoleRequest request = context.bodyAsClass(RoleRequest.class);
            if (request == null || request.role() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"role\": \"ADMIN\"}, TESTER or DEVELOPER");
            }
            var collaborator = stagehand.accounts().setRole(Authentication.account(context), context.pathParam("project"), context.pathParam("login"), enumField("role", Role.class, request.role()));
            context.json(new Views.CollaboratorView(collaborator.login(), collaborator.role().name()));
        });
        delete(config, "/api/projects/{project}/collaborators/{login}", context -> {
            stagehand.accounts().removeCollaborator(Authentication.account(context), context.pathParam("project"), context.pathParam("login"));
            context.status(HttpStatus.NO_CONTENT);
        });
        get(config, "/api/projects/{project}/audit", context -> context.json(stagehand.accounts().audit(Authentication.account(context), context.pathParam("project"), limit(context))
                .stream().map(Views::audit).toList()));
        post(config, "/api/maintenance/garbage-collection", context -> context.json(actions(context).collectGarbage().stream().map(Views::build).toList()));
    }

    private String publicUrl()
    {
        return publicUrl.get().replaceAll("/+$", "");
    }

    /**
     * The API's routes as they were registered, {@code "GET /api/projects/{project}"}: what its
     * OpenAPI document must describe.
     */
    public List<String> routes()
    {
        return List.copyOf(routes);
    }

    private void get(JavalinConfig config, String path, Handler handler)
    {
        config.routes.get(path, handler);
        routes.add("GET " + path);
    }

    private void post(JavalinConfig config, String path, Handler handler)
    {
        config.routes.post(path, handler);
        routes.add("POST " + path);
    }

    private void delete(JavalinConfig config, String path, Handler handler)
    {
        config.routes.delete(path, handler);
        routes.add("DELETE " + path);
    }

    private void put(JavalinConfig config, String path, Handler handler)
    {
        config.routes.put(path, handler);
        routes.add("PUT " + path);
    }

    private void sse(JavalinConfig config, String path, java.util.function.Consumer<SseClient> client)
    {
        config.routes.sse(path, client);
        routes.add("GET " + path);
    }

    private static String openApi()
    {
        try (var in = ApiRoutes.class.getResourceAsStream("openapi.yaml")) {
            return new String(requireNonNull(in, "openapi.yaml is missing from the jar").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void webhook(Context context)
            throws java.io.IOException
    {
        RequestBodies.Limit limit = new RequestBodies.Limit(ServerLimits.MAX_WEBHOOK_BYTES, "A webhook payload", "", "GitHub sends none larger; check what sends this one");
        ProjectService.WebhookOutcome outcome = RequestBodies.read(context, limit, webhookBudget,
                body -> stagehand.projects().handleWebhook(context.pathParam("project"), new WebhookRequest(context.headerMap(), body)));
        context.status(outcome.kind() == ProjectService.WebhookOutcome.Kind.ACCEPTED ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .json(Map.of("outcome", outcome.kind().name(), "message", outcome.message(), "builds", outcome.queued().stream().map(Views::build).toList()));
    }

    private void createProject(Context context)
    {
        ProjectRequest request = context.bodyAsClass(ProjectRequest.class);
        boolean hosted = request != null && Boolean.TRUE.equals(request.hosted());
        if (request == null || request.id() == null || (request.repositoryUrl() == null) == !hosted) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"id\": \"acme\", \"repositoryUrl\": \"https://github.com/acme/addons.git\", \"token\": optional, "
                    + "\"productionBranch\": optional (default: the repository's default branch; \"\" for none yet)}, or {\"id\": \"acme\", \"hosted\": true} for a repository "
                    + "kept on this server (git push " + publicUrl() + "/git/acme.git)");
        }
        Optional<String> token = Optional.ofNullable(request.token());
        String repositoryUrl = hosted ? git.create(request.id()).toString() : request.repositoryUrl();
        Project project;
        try {
            // Absent: the repository's default branch is production, as on Odoo.sh; "": none yet.
            Optional<Optional<String>> production = request.productionBranch() == null
                    ? Optional.empty()
                    : Optional.of(Optional.of(request.productionBranch()).filter(name -> !name.isBlank()));
            project = hosted
                    ? actions(context).createHostedProject(request.id(), repositoryUrl, publicUrl() + "/git/" + request.id() + ".git", production)
                    : actions(context).createProject(request.id(), repositoryUrl, token, production);
        }
        catch (RuntimeException e) {
            if (hosted) {
                git.deleteQuietly(request.id());
            }
            throw e;
        }
        if (Boolean.TRUE.equals(request.trial())) {
            project = actions(context).setTrial(project.id(), true);
        }
        context.status(HttpStatus.CREATED).json(projectView(context, project, true));
    }

    // A project whose repository is kept here says where to push.
    // A hosted project's repository is its git URL; a path on the server is the platform administrators' to see.
    private Views.ProjectView projectView(Context context, Project project, boolean withSecret)
    {
        Views.ProjectView view = Views.project(project, publicUrl(), withSecret);
        if (project.repositoryUrl().equals(git.repository(project.id()).toString())) {
            return view.withGitUrl(publicUrl() + "/git/" + project.id() + ".git");
        }
        return !Project.isRemote(project.repositoryUrl()) && !Authentication.account(context).platformAdmin() ? view.withRepositoryUrl("(a repository on the server)") : view;
    }

    private Views.BackupView backupView(sh.stagehand.core.backup.Backup backup)
    {
        return Views.backup(backup, stagehand.productionBackups().verification(backup.projectId(), backup.id()));
    }

    // The request's body is the file, as curl --data-binary @backup.zip sends it; streamed to disk,
    // never more of it than http.max-upload-bytes.
    private void importDatabase(Context context)
            throws java.io.IOException
    {
        // Asked before the upload takes any disk.
        actions(context).checkImport(context.pathParam("project"), context.pathParam("branch"));
        RequestBodies.Limit limit = new RequestBodies.Limit(limits.maxUploadBytes(), "The upload", ServerLimits.MAX_UPLOAD_BYTES.name(),
                "Nothing was imported: send a smaller file (a dump without its filestore), restore one of the project's backups instead, "
                        + "or ask the platform's operator to raise " + ServerLimits.MAX_UPLOAD_BYTES);
        RequestBodies.refuseDeclaredOver(context, limit);
        String name = Optional.ofNullable(context.queryParam("filename")).filter(value -> value.matches("[A-Za-z0-9._-]{1,100}")).orElse("upload");
        java.nio.file.Files.createDirectories(limits.uploadDirectory());
        java.nio.file.Path directory = java.nio.file.Files.createTempDirectory(limits.uploadDirectory(), "stagehand-import-");
        java.nio.file.Path upload = directory.resolve(name);
        try {
            RequestBodies.spool(context, upload, limit);
            Build serving = actions(context).importInto(context.pathParam("project"), context.pathParam("branch"), upload);
            context.json(Views.build(serving));
        }
        finally {
            java.nio.file.Files.deleteIfExists(upload);
            java.nio.file.Files.deleteIfExists(directory);
        }
    }

    // ?filestore=false leaves the filestore out; ?neutralized=true is the dump of a neutralized copy, for testing.
    private void downloadBackup(Context context)
    {
        BackupDownloads.DownloadOptions options = new BackupDownloads.DownloadOptions(booleanParameter(context, "filestore", true), booleanParameter(context, "neutralized", false));
        // Prepared before the first byte goes out, so that an unknown backup or a failed neutralization is an error, not a broken zip.
        try (BackupDownloads.PreparedDownload download = actions(context).prepareDownload(context.pathParam("project"), context.pathParam("backup"), options)) {
            context.contentType("application/zip");
            context.header("Content-Disposition", "attachment; filename=\"" + download.fileName() + "\"");
            download.writeTo(context.outputStream());
        }
    }

    private static boolean booleanParameter(Context context, String name, boolean absent)
    {
        String value = context.queryParam(name);
        if (value == null) {
            return absent;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter '" + name + "' is '" + value + "'; send true or false");
        };
    }

    private void merge(Context context)
    {
        MergeRequest request = context.bodyAsClass(MergeRequest.class);
        if (request == null || request.source() == null || request.target() == null) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"source\": \"feature\", \"target\": \"staging\"}: the branch to merge and the branch it goes into");
        }
        ProjectService.MergeOutcome outcome = actions(context).merge(context.pathParam("project"), request.source(), request.target());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("commit", outcome.result().commitId());
        body.put("kind", outcome.result().kind().name());
        body.put("build", outcome.build().map(Views::build).orElse(null));
        context.json(body);
    }

    private Actions actions(Context context)
    {
        return stagehand.actingAs(Authentication.account(context));
    }

    // The page's data, with the tools the caller has on each branch: the page shows only those tabs.
    private void overview(Context context)
    {
        Actions actions = actions(context);
        String projectId = context.pathParam("project");
        Map<Stage, java.util.Set<Tool>> tools = new java.util.EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            tools.put(stage, actions.tools(projectId, stage));
        }
        context.json(actions.overview(projectId, 12).stream().map(entry -> Views.overview(entry, tools.get(entry.branch().stage()))).toList());
    }

    private void logIn(Context context)
    {
        Authentication.requireJson(context);
        LoginRequest request = context.bodyAsClass(LoginRequest.class);
        if (request == null || request.login() == null || request.password() == null) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"login\": \"admin\", \"password\": \"...\"}");
        }
        var session = authentication.logIn(context, request.login(), request.password());
        context.json(Views.account(session.account(), stagehand.accounts().roles(session.account()), session.csrfToken()));
    }

    private Views.AccountView accountView(Context context)
    {
        Account account = Authentication.account(context);
        return Views.account(account, stagehand.accounts().roles(account), Authentication.session(context).map(sh.stagehand.core.access.Session::csrfToken).orElse(null));
    }

    // Whether the platform answers for a name: Caddy's on-demand TLS asks this before getting a certificate.
    private void host(Context context)
    {
        String domain = context.queryParam("domain");
        if (domain == null || domain.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter 'domain' is missing; send ?domain=www.example.com");
        }
        if (!stagehand.hosts().answers(domain)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "The platform does not answer for " + domain + ": no branch has it as a custom domain and no running build has that name");
        }
        // Asked without credentials: where it goes, not what is there.
        Optional<HostRouter.Route> route = stagehand.hosts().route(domain);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("domain", domain);
        body.put("route", route.map(found -> found.kind().name()).orElse("NOTHING"));
        context.json(body);
    }

    private void saveBranch(Context context)
    {
        Branch current = actions(context).branch(context.pathParam("project"), context.pathParam("branch"));
        BranchRequest request = context.bodyAsClass(BranchRequest.class);
        // A stage change takes the move's behaviour on new commit, as on Odoo.sh, unless the request sets one.
        Branch moved = request.stage() == null ? current : current.movedTo(enumField("stage", Stage.class, request.stage()));
        Branch updated = new Branch(current.projectId(), current.name(),
                moved.stage(),
                request.moduleSelection() == null ? current.moduleSelection() : enumField("moduleSelection", ModuleSelection.class, request.moduleSelection()),
                request.modules() == null ? current.explicitModules() : request.modules(),
                request.testTags() == null ? current.testTags() : Optional.of(request.testTags()).filter(tags -> !tags.isBlank()),
                request.crons() == null ? current.cronsEnabled() : request.crons(),
                request.onNewCommit() == null ? moved.onNewCommit() : enumField("onNewCommit", OnNewCommit.class, request.onNewCommit()),
                request.domains() == null ? current.domains() : request.domains());
        context.json(Views.branch(actions(context).saveBranch(updated)));
    }

    private void followLog(SseClient client)
    {
        Context context = client.ctx();
        try {
            AutoCloseable follow = actions(context).followLog(buildId(context), LogName.fromFileName(context.pathParam("log")),
                    line -> client.sendEvent("line", line),
                    () -> {
                        client.sendEvent("end", "end of log");
                        client.close();
                    });
            client.onClose(() -> {
                try {
                    follow.close();
                }
                catch (Exception e) {
                    log.debug("Closing a log follow failed", e);
                }
            });
            client.keepAlive();
        }
        catch (StagehandException | IllegalArgumentException e) {
            client.sendEvent("error", e.getMessage());
            client.close();
        }
    }

    private static <E extends Enum<E>> E enumField(String field, Class<E> type, String value)
    {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Field '%s' is '%s', which is none of %s".formatted(field, value,
                    Stream.of(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "))), e);
        }
    }

    // "Field 'crons' must be true or false (it is "yes")" rather than Jackson's class names.
    private static String unreadableJson(JsonProcessingException e)
    {
        String field = e instanceof JsonMappingException mapping
                ? mapping.getPath().stream().map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]").collect(Collectors.joining("."))
                : "";
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String expected = expected(mismatch.getTargetType());
            if (field.isEmpty()) {
                return "The request body must be " + expected;
            }
            String given = e instanceof InvalidFormatException invalid ? " (it is " + quoted(invalid.getValue()) + ")" : "";
            return "Field '" + field + "' must be " + expected + given;
        }
        String problem = String.valueOf(e.getOriginalMessage()).replaceAll("`(?:[\\w$]+\\.)*([\\w$]+)(?:<[^`]*>)?`", "$1").replaceAll("\\s+", " ").strip();
        return (field.isEmpty() ? "The request body is not the JSON expected: " : "Field '" + field + "' of the request body cannot be read: ") + problem;
    }

    private static String expected(Class<?> type)
    {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list, such as [\"a\", \"b\"]";
        }
        return "a JSON object";
    }

    private static String quoted(Object value)
    {
        return value instanceof String text ? "'" + text + "'" : String.valueOf(value);
    }

    private void error(StagehandException e, Context context)
    {
        ErrorCode code = e.errorCode();
        HttpStatus status = switch (code.name()) {
            case "NOT_FOUND" -> HttpStatus.NOT_FOUND;
            case "INVALID_ARGUMENT", "INVALID_CONFIGURATION" -> HttpStatus.BAD_REQUEST;
            case "ALREADY_EXISTS", "CONFLICT" -> HttpStatus.CONFLICT;
            case "UNAUTHENTICATED" -> HttpStatus.UNAUTHORIZED;
            case "PERMISSION_DENIED" -> HttpStatus.FORBIDDEN;
            case "TOO_MANY_REQUESTS" -> HttpStatus.TOO_MANY_REQUESTS;
            case "PROVIDER_UNAVAILABLE", "TIMEOUT" -> HttpStatus.SERVICE_UNAVAILABLE;
            case "NOT_SUPPORTED" -> HttpStatus.NOT_IMPLEMENTED;
            case "CONTENT_TOO_LARGE" -> HttpStatus.CONTENT_TOO_LARGE;
            default -> switch (code.type()) {
                case USER_ERROR -> HttpStatus.BAD_REQUEST;
                case EXTERNAL -> HttpStatus.BAD_GATEWAY;
                case INTERNAL_ERROR -> HttpStatus.INTERNAL_SERVER_ERROR;
            };
        };
        if (status == HttpStatus.INTERNAL_SERVER_ERROR || status == HttpStatus.BAD_GATEWAY) {
            log.warn("{} {} failed", context.method(), context.path(), e);
        }
        if (status == HttpStatus.TOO_MANY_REQUESTS) {
            java.util.regex.Matcher wait = java.util.regex.Pattern.compile("try again in (\\d+) s").matcher(String.valueOf(e.getMessage()));
            if (wait.find()) {
                context.header("Retry-After", wait.group(1));
            }
        }
        if (status == HttpStatus.UNAUTHORIZED && context.path().startsWith("/api/")) {
            context.header("WWW-Authenticate", "Bearer realm=\"stagehand\"");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code.name());
        body.put("message", e.getMessage());
        if (status == HttpStatus.CONTENT_TOO_LARGE) {
            try {
                RequestBodies.answerRefusal(context, status.getCode(), context.jsonMapper().toJsonString(body, Map.class));
                return;
            }
            catch (java.io.IOException failed) {
                log.debug("Could not answer a refused body of {} {}", context.method(), context.path(), failed);
            }
        }
        context.status(status).json(body);
    }

    private static long buildId(Context context)
    {
        try {
            return Long.parseLong(context.pathParam("build"));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Build id '" + context.pathParam("build") + "' is not a number");
        }
    }

    private static int limit(Context context)
    {
        String limit = context.queryParam("limit");
        try {
            return limit == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(limit)));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "limit=" + limit + " is not a number");
        }
    }

    private static String required(Context context, String name)
    {
        String value = context.queryParam(name);
        if (value == null || value.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter '" + name + "' is required");
        }
        return value;
    }

    record ProjectRequest(String id, String repositoryUrl, String token, String productionBranch, Boolean trial, Boolean hosted) {}

    record ProjectSettingsRequest(Boolean trial) {}

    record MergeRequest(String source, String target) {}

    record LoginRequest(String login, String password) {}

    record PasswordRequest(String current, String password) {}

    record NameRequest(String name) {}

    record SshKeyRequest(String key, String title, String github) {}

    record AccountRequest(String login, String name, String password, Boolean platformAdmin) {}

    record RoleRequest(String role) {}

    record BranchRequest(String stage, String moduleSelection, List<String> modules, String testTags, Boolean crons, String onNewCommit, List<String> domains) {}
}
