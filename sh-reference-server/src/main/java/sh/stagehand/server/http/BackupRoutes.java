package sh.stagehand.server.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import sh.stagehand.core.Actions;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.server.ServerLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The API's backups of a project's production: listed, taken, verified, downloaded as Odoo's zip,
 * their logs, restored into production or a branch; and a database imported from an upload.
 * Thread-safe.
 */
final class BackupRoutes
{
    private final Stagehand stagehand;
    private final ServerLimits limits;

    BackupRoutes(Stagehand stagehand, ServerLimits limits)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    void register(RouteTable routes)
    {
        routes.get("/api/projects/{project}/backups", context -> context.json(actions(context).backups(context.pathParam("project")).stream().map(this::backupView).toList()));
        routes.post("/api/projects/{project}/backups", context -> context.status(HttpStatus.CREATED)
                .json(backupView(actions(context).createBackup(context.pathParam("project")))));
        routes.get("/api/projects/{project}/backups/{backup}", context -> context.json(backupView(actions(context).backup(context.pathParam("project"), context.pathParam("backup")))));
        routes.post("/api/projects/{project}/backups/{backup}/verify", context -> {
            actions(context).verifyBackup(context.pathParam("project"), context.pathParam("backup"));
            context.json(backupView(actions(context).backup(context.pathParam("project"), context.pathParam("backup"))));
        });
        routes.get("/api/projects/{project}/backups/{backup}/download", this::downloadBackup);
        routes.get("/api/projects/{project}/backups/{backup}/logs/{log}", context -> {
            LogName name = LogName.fromFileName(context.pathParam("log"));
            context.contentType("text/plain; charset=utf-8");
            actions(context).writeBackupLog(context.pathParam("project"), context.pathParam("backup"), name, context.outputStream());
        });
        routes.post("/api/projects/{project}/import/<branch>", this::importDatabase);
        routes.post("/api/projects/{project}/backups/{backup}/restore/<branch>", context -> context.json(Views.build(
                actions(context).restoreInto(context.pathParam("project"), context.pathParam("backup"), context.pathParam("branch")))));
        routes.post("/api/projects/{project}/backups/{backup}/restore", context -> context.json(Map.of(
                "restored", context.pathParam("backup"),
                "before", backupView(actions(context).restore(context.pathParam("project"), context.pathParam("backup"))))));
    }

    private Views.BackupView backupView(Backup backup)
    {
        return Views.backup(backup, stagehand.productionBackups().verification(backup.projectId(), backup.id()));
    }

    // The request's body is the file, as curl --data-binary @backup.zip sends it; streamed to disk,
    // never more of it than http.max-upload-bytes.
    private void importDatabase(Context context)
            throws IOException
    {
        // Asked before the upload takes any disk.
        actions(context).checkImport(context.pathParam("project"), context.pathParam("branch"));
        RequestBodies.Limit limit = new RequestBodies.Limit(limits.maxUploadBytes(), "The upload", ServerLimits.MAX_UPLOAD_BYTES.name(),
                "Nothing was imported: send a smaller file (a dump without its filestore), restore one of the project's backups instead, "
                        + "or ask the platform's operator to raise " + ServerLimits.MAX_UPLOAD_BYTES);
        RequestBodies.refuseDeclaredOver(context, limit);
        String name = Optional.ofNullable(context.queryParam("filename")).filter(value -> value.matches("[A-Za-z0-9._-]{1,100}")).orElse("upload");
        Files.createDirectories(limits.uploadDirectory());
        Path directory = Files.createTempDirectory(limits.uploadDirectory(), "stagehand-import-");
        Path upload = directory.resolve(name);
        try {
            RequestBodies.spool(context, upload, limit);
            Build serving = actions(context).importInto(context.pathParam("project"), context.pathParam("branch"), upload);
            context.json(Views.build(serving));
        }
        finally {
            Files.deleteIfExists(upload);
            Files.deleteIfExists(directory);
        }
    }

    // ?filestore=false leaves the filestore out; ?neutralized=true is the dump of a neutralized copy, for testing.
    private void downloadBackup(Context context)
    {
        BackupDownloads.DownloadOptions options = new BackupDownloads.DownloadOptions(ApiParameters.booleanParameter(context, "filestore", true),
                ApiParameters.booleanParameter(context, "neutralized", false));
        // Prepared before the first byte goes out, so that an unknown backup or a failed neutralization is an error, not a broken zip.
        try (BackupDownloads.PreparedDownload download = actions(context).prepareDownload(context.pathParam("project"), context.pathParam("backup"), options)) {
            context.contentType("application/zip");
            context.header("Content-Disposition", "attachment; filename=\"" + download.fileName() + "\"");
            download.writeTo(context.outputStream());
        }
    }

    private Actions actions(Context context)
    {
        return stagehand.actingAs(Authentication.account(context));
    }
}
