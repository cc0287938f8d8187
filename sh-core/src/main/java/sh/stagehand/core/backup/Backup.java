package sh.stagehand.core.backup;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One backup of a project's production: what Odoo's database manager would put in its zip (the
 * dump, the filestore, its manifest.json), and what Odoo.sh keeps beside it (the serving build's
 * logs, the server's sessions), kept content-addressed — the dump and the logs as content-defined
 * chunks, each filestore and session file once, by SHA-256, shared by every backup of the project
 * that has the same bytes.
 *
 * @param id unique in the project, sortable by time: {@code 20261128T045612Z-manual}
 * @param projectId the project
 * @param kind daily, manual or update
 * @param createdAt when it was taken
 * @param commitId the revision that served production then, if any did
 * @param database the database dumped
 * @param dump the plain SQL dump ({@code pg_dump --no-owner}), as its chunks in order
 * @param files the filestore's files, by path relative to {@code filestore/<db>}
 * @param odooManifest Odoo's {@code manifest.json}, as its database manager writes it
 * @param rows the rows of each table in the dump ({@code COPY} blocks), for its verification
 * @param sessions the server's session files, by path relative to {@code <data_dir>/sessions}
 * @param logs the serving build's logs, by file name ({@code odoo.log}), each as its chunks
 * @param leftOut what the backup left out of the data directory, by path below it and why: symbolic
 *        links (a container may put one anywhere; the platform never follows it) and anything else
 *        that is neither a regular file nor a directory
 */
public record Backup(
        String id,
        String projectId,
        BackupKind kind,
        Instant createdAt,
        Optional<String> commitId,
        String database,
        Chunked dump,
        List<FileEntry> files,
        Map<String, Object> odooManifest,
        Map<String, Long> rows,
        List<FileEntry> sessions,
        Map<String, Chunked> logs,
        List<String> leftOut)
{
    public Backup
    {
        requireNonNull(id, "id is null");
        requireNonNull(projectId, "projectId is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(commitId, "commitId is null");
        requireNonNull(database, "database is null");
        requireNonNull(dump, "dump is null");
        files = List.copyOf(requireNonNull(files, "files is null"));
        odooManifest = Map.copyOf(requireNonNull(odooManifest, "odooManifest is null"));
        // Records written before these were kept have none.
        rows = rows == null ? Map.of() : Map.copyOf(rows);
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
        logs = logs == null ? Map.of() : Map.copyOf(logs);
        leftOut = leftOut == null ? List.of() : List.copyOf(leftOut);
    }

    /**
     * Content stored as content-defined chunks: the dump, a log.
     *
     * @param sizeBytes its length
     * @param sha256 the whole content's SHA-256
     * @param chunks the SHA-256 of each chunk, in order
     */
    public record Chunked(long sizeBytes, String sha256, List<String> chunks)
    {
        public Chunked
        {
            requireNonNull(sha256, "sha256 is null");
            chunks = List.copyOf(requireNonNull(chunks, "chunks is null"));
        }
    }

    /**
     * @param path '/'-separated, relative to the directory it was in
     * @param sizeBytes its length
     * @param sha256 its SHA-256, which is also its key in the store
     */
    public record FileEntry(String path, long sizeBytes, String sha256)
    {
        public FileEntry
        {
            requireNonNull(path, "path is null");
            requireNonNull(sha256, "sha256 is null");
        }
    }

    public long filestoreBytes()
    {
        return files.stream().mapToLong(FileEntry::sizeBytes).sum();
    }
}
