package sh.stagehand.server.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import sh.stagehand.core.Actions;
import sh.stagehand.core.ProjectService;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.server.ServerLimits;
import sh.stagehand.server.git.GitHosting;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The API's projects and their branches: a project made, read and set; its branches, their
 * settings, merges, rebuilds, history and builds; the page's overview; and the webhook through
 * which GitHub tells of a push. Thread-safe.
 */
final class ProjectRoutes
{
    private final Stagehand stagehand;
    private final Supplier<String> publicUrl;
    private final GitHosting git;
    // Webhook payloads being read at once share this many bytes: more wait for GitHub's next try.
    private final Semaphore webhookBudget = new Semaphore((int) (4 * ServerLimits.MAX_WEBHOOK_BYTES));

    /**
     * @param publicUrl where users reach the server, without a trailing '/'
     */
    ProjectRoutes(Stagehand stagehand, Supplier<String> publicUrl, GitHosting git)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.publicUrl = requireNonNull(publicUrl, "publicUrl is null");
        this.git = requireNonNull(git, "git is null");
    }

    void register(RouteTable routes)
    {
        routes.post("/webhooks/github/{project}", this::webhook);

        routes.get("/api/projects", context -> context.json(actions(context).projects().stream().map(project -> projectView(context, project, false)).toList()));
        routes.post("/api/projects", this::createProject);
        routes.get("/api/projects/{project}", context -> context.json(projectView(context, actions(context).project(context.pathParam("project")), false)));
        routes.put("/api/projects/{project}", context -> {
            ProjectSettingsRequest request = context.bodyAsClass(ProjectSettingsRequest.class);
            if (request == null || request.trial() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"trial\": true} or {\"trial\": false}");
            }
            context.json(projectView(context, actions(context).setTrial(context.pathParam("project"), request.trial()), false));
        });
        routes.post("/api/projects/{project}/merge", this::merge);
        routes.post("/api/projects/{project}/poll", context -> context.json(actions(context).poll(context.pathParam("project")).stream().map(Views::build).toList()));
        routes.get("/api/projects/{project}/overview", context -> overview(context));
        routes.get("/api/projects/{project}/branches", context -> context.json(actions(context).branches(context.pathParam("project")).stream().map(Views::branch).toList()));
        routes.get("/api/projects/{project}/branches/<branch>", context -> context.json(Views.branch(actions(context).branch(context.pathParam("project"), context.pathParam("branch")))));
        routes.put("/api/projects/{project}/branches/<branch>", this::saveBranch);
        routes.post("/api/projects/{project}/rebuild/<branch>", context -> context.status(HttpStatus.ACCEPTED)
                .json(Views.build(actions(context).rebuildBranch(context.pathParam("project"), context.pathParam("branch")))));
        routes.get("/api/projects/{project}/history", context -> context.json(actions(context)
                .history(context.pathParam("project"), Optional.ofNullable(context.queryParam("branch")), ApiParameters.limit(context)).stream().map(Views::event).toList()));
        routes.get("/api/projects/{project}/builds", context -> context.json(actions(context)
                .builds(context.pathParam("project"), ApiParameters.required(context, "branch")).stream().map(Views::build).toList()));
    }

    private void webhook(Context context)
            throws IOException
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
                    + "kept on this server (git push " + publicUrl.get() + "/git/acme.git)");
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
                    ? actions(context).createHostedProject(request.id(), repositoryUrl, publicUrl.get() + "/git/" + request.id() + ".git", production)
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
        Views.ProjectView view = Views.project(project, publicUrl.get(), withSecret);
        if (project.repositoryUrl().equals(git.repository(project.id()).toString())) {
            return view.withGitUrl(publicUrl.get() + "/git/" + project.id() + ".git");
        }
        return !Project.isRemote(project.repositoryUrl()) && !Authentication.account(context).platformAdmin() ? view.withRepositoryUrl("(a repository on the server)") : view;
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

    // The page's data, with the tools the caller has on each branch: the page shows only those tabs.
    private void overview(Context context)
    {
        Actions actions = actions(context);
        String projectId = context.pathParam("project");
        Map<Stage, Set<Tool>> tools = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            tools.put(stage, actions.tools(projectId, stage));
        }
        context.json(actions.overview(projectId, 12).stream().map(entry -> Views.overview(entry, tools.get(entry.branch().stage()))).toList());
    }

    private void saveBranch(Context context)
    {
        Branch current = actions(context).branch(context.pathParam("project"), context.pathParam("branch"));
        BranchRequest request = context.bodyAsClass(BranchRequest.class);
        // A stage change takes the move's behaviour on new commit, as on Odoo.sh, unless the request sets one.
        Branch moved = request.stage() == null ? current : current.movedTo(ApiParameters.enumField("stage", Stage.class, request.stage()));
        Branch updated = new Branch(current.projectId(), current.name(),
                moved.stage(),
                request.moduleSelection() == null ? current.moduleSelection() : ApiParameters.enumField("moduleSelection", ModuleSelection.class, request.moduleSelection()),
                request.modules() == null ? current.explicitModules() : request.modules(),
                request.testTags() == null ? current.testTags() : Optional.of(request.testTags()).filter(tags -> !tags.isBlank()),
                request.crons() == null ? current.cronsEnabled() : request.crons(),
                request.onNewCommit() == null ? moved.onNewCommit() : ApiParameters.enumField("onNewCommit", OnNewCommit.class, request.onNewCommit()),
                request.domains() == null ? current.domains() : request.domains(),
                current.apps(), current.appsToRemove());
        context.json(Views.branch(actions(context).saveBranch(updated)));
    }

    private Actions actions(Context context)
    {
        return stagehand.actingAs(Authentication.account(context));
    }

    record ProjectRequest(String id, String repositoryUrl, String token, String productionBranch, Boolean trial, Boolean hosted) {}

    record ProjectSettingsRequest(Boolean trial) {}

    record MergeRequest(String source, String target) {}

    record BranchRequest(String stage, String moduleSelection, List<String> modules, String testTags, Boolean crons, String onNewCommit, List<String> domains) {}
}
