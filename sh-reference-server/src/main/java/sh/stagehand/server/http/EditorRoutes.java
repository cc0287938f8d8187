package sh.stagehand.server.http;

import io.javalin.http.Context;
import sh.stagehand.core.BuildEditor;
import sh.stagehand.core.EditorActions;
import sh.stagehand.core.ProjectService;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The online editor's API, on a build's sources: {@code GET /api/builds/{build}/editor/files?path=dir}
 * lists a directory, {@code GET …/editor/file?path=…} reads a file, {@code PUT …/editor/file}
 * saves one, {@code POST …/editor/restart} restarts the server on the sources as saved,
 * {@code POST …/editor/update} updates a module and restarts the server,
 * {@code POST …/editor/commit} commits what was saved and pushes it. A client of
 * {@link EditorActions}, which checks the caller's role.
 */
final class EditorRoutes
{
    private final Stagehand stagehand;

    EditorRoutes(Stagehand stagehand)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
    }

    void register(RouteTable routes)
    {
        routes.get("/api/builds/{build}/editor/files", context -> context.json(editor(context).list(ApiParameters.buildId(context),
                Optional.ofNullable(context.queryParam("path")).orElse("")).stream().map(EditorRoutes::entryView).toList()));
        routes.get("/api/builds/{build}/editor/file", this::read);
        routes.put("/api/builds/{build}/editor/file", this::save);
        routes.get("/api/builds/{build}/editor/changes", context -> context.json(Map.of("changed", editor(context).changed(ApiParameters.buildId(context)))));
        routes.post("/api/builds/{build}/editor/restart", context -> {
            editor(context).restart(ApiParameters.buildId(context));
            context.json(Map.of("restarted", true));
        });
        routes.post("/api/builds/{build}/editor/update", context -> {
            UpdateRequest request = context.bodyAsClass(UpdateRequest.class);
            if (request == null || request.module() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"module\": \"sale_extra\"}: the module to update");
            }
            context.json(Map.of("updated", request.module(), "output", editor(context).updateModule(ApiParameters.buildId(context), request.module())));
        });
        routes.post("/api/builds/{build}/editor/commit", this::commit);
    }

    record FileRequest(String path, String content) {}

    record CommitRequest(String message) {}

    record UpdateRequest(String module) {}

    private void read(Context context)
    {
        long buildId = ApiParameters.buildId(context);
        String path = ApiParameters.required(context, "path");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", path);
        view.put("content", editor(context).read(buildId, path));
        view.put("writable", stagehand.builds().build(buildId).stage() != Stage.PRODUCTION && !path.equals(BuildEditor.ODOO) && !path.startsWith(BuildEditor.ODOO + "/"));
        context.json(view);
    }

    private void save(Context context)
    {
        long buildId = ApiParameters.buildId(context);
        FileRequest request = context.bodyAsClass(FileRequest.class);
        if (request == null || request.path() == null || request.content() == null) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"path\": \"sale_extra/models.py\", \"content\": \"the file's new text\"}");
        }
        EditorActions editor = editor(context);
        editor.save(buildId, request.path(), request.content());
        context.json(Map.of("saved", request.path(), "changed", editor.changed(buildId)));
    }

    private void commit(Context context)
    {
        CommitRequest request = context.bodyAsClass(CommitRequest.class);
        if (request == null || request.message() == null || request.message().isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"message\": \"what the change does\"}");
        }
        ProjectService.CommitOutcome outcome = editor(context).commit(ApiParameters.buildId(context), request.message());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("commit", outcome.commitId());
        view.put("build", outcome.build().map(build -> build.id()).orElse(null));
        context.status(201).json(view);
    }

    private static Map<String, Object> entryView(BuildEditor.Entry entry)
    {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", entry.path());
        view.put("directory", entry.directory());
        view.put("size", entry.size());
        return view;
    }

    private EditorActions editor(Context context)
    {
        return stagehand.actingAs(Authentication.account(context)).editor();
    }
}
