package sh.stagehand.core.backup;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads a zip of Odoo's database manager ({@code dump.sql}, {@code filestore/…},
 * {@code manifest.json}) sent by someone, who may be careless or hostile. Every entry is checked
 * before anything is written: no absolute path, no {@code ..}, no symbolic link, no more than
 * {@code maxEntries}; while extracting, no more than {@code maxBytes} in all and no entry expanding
 * more than {@code maxRatio} times (a zip bomb). A refused zip leaves nothing in {@code target}.
 */
public final class OdooBackupArchive
{
    /**
     * @param maxEntries entries a zip may have
     * @param maxBytes bytes it may expand to, in all
     * @param maxRatio how many times an entry may expand (entries under 1 MiB excepted)
     */
    public record Limits(int maxEntries, long maxBytes, int maxRatio)
    {
        public static final Limits DEFAULT = new Limits(1_000_000, 100L << 30, 200);
    }

    /**
     * What a zip held.
     *
     * @param dump the plain SQL dump
     * @param filestore the filestore directory (possibly empty)
     * @param manifest its manifest.json, if it has one
     */
    public record Extracted(Path dump, Path filestore, Optional<Map<String, Object>> manifest)
    {
        public Extracted
        {
            requireNonNull(dump, "dump is null");
            requireNonNull(filestore, "filestore is null");
            requireNonNull(manifest, "manifest is null");
        }
    }

    private OdooBackupArchive() {}

    /**
     * @param target an empty directory to extract into; emptied again if the zip is refused
     * @param series the Odoo series this platform runs (17.0): a manifest of another is refused
     * @throws StagehandException {@code INVALID_ARGUMENT} for a zip that is not one of Odoo's, is
     *         truncated, or holds a refused entry, saying which and why
     */
    @SuppressWarnings("unchecked")
    public static Extracted extract(Path zip, Path target, Limits limits, String series)
    {
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            List<ZipArchiveEntry> entries = Collections.list(file.getEntries());
            if (entries.size() > limits.maxEntries()) {
                throw refused(zip, "it has " + entries.size() + " entries, more than the " + limits.maxEntries() + " allowed");
            }
            boolean hasDump = false;
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName();
                if (entry.isUnixSymlink()) {
                    throw refused(zip, "entry '" + name + "' is a symbolic link");
                }
                if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*") || name.contains("\\")) {
                    throw refused(zip, "entry '" + name + "' has an absolute or Windows path");
                }
                for (String segment : name.split("/")) {
                    if (segment.equals("..")) {
                        throw refused(zip, "entry '" + name + "' climbs out of the archive ('..')");
                    }
                }
                if (!entry.isDirectory() && !name.equals("dump.sql") && !name.equals("manifest.json") && !name.startsWith("filestore/")) {
                    throw refused(zip, "entry '" + name + "' is none of dump.sql, manifest.json and filestore/…, as Odoo's database manager writes them");
                }
                hasDump |= name.equals("dump.sql");
            }
            if (!hasDump) {
                throw refused(zip, "it has no dump.sql");
            }
            Path filestore = target.resolve("filestore");
            Files.createDirectories(filestore);
            long total = 0;
            Optional<Map<String, Object>> manifest = Optional.empty();
            for (ZipArchiveEntry entry : entries) {
                if (entry.isDirectory()) {
                    continue;
                }
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw refused(zip, "entry '" + entry.getName() + "' leaves the archive");
                }
                Files.createDirectories(out.getParent());
                long written = 0;
                try (InputStream in = file.getInputStream(entry); OutputStream copy = Files.newOutputStream(out)) {
                    byte[] buffer = new byte[64 * 1024];
                    int read;
                    while ((read = in.read(buffer)) > 0) {
                        written += read;
                        total += read;
                        if (total > limits.maxBytes()) {
                            throw refused(zip, "it expands to more than " + limits.maxBytes() + " bytes");
                        }
                        long compressed = Math.max(1, entry.getCompressedSize());
                        if (written > (1 << 20) && written / compressed > limits.maxRatio()) {
                            throw refused(zip, "entry '" + entry.getName() + "' expands more than " + limits.maxRatio() + " times its compressed size (a zip bomb?)");
                        }
                        copy.write(buffer, 0, read);
                    }
                }
                if (entry.getName().equals("manifest.json")) {
                    manifest = Optional.of(BackupCatalog.JSON.readValue(out.toFile(), Map.class));
                }
            }
            manifest.ifPresent(values -> {
                Object major = values.get("major_version");
                if (major != null && !String.valueOf(major).equals(series)) {
                    throw refused(zip, "its manifest.json says it is a database of Odoo " + major + ", and this platform runs Odoo " + series
                            + "; upgrade it to " + series + " first (Odoo's upgrade service does)");
                }
            });
            return new Extracted(target.resolve("dump.sql"), filestore, manifest);
        }
        catch (IOException e) {
            empty(target);
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot read " + zip.getFileName() + " as a zip of Odoo's database manager: " + e.getMessage()
                    + "; send the file Odoo's database manager or Stagehand's backup download made, whole", e);
        }
        catch (RuntimeException e) {
            empty(target);
            throw e;
        }
    }

    private static StagehandException refused(Path zip, String why)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Refused " + zip.getFileName() + ": " + why + ". Nothing was imported");
    }

    private static void empty(Path target)
    {
        try (var entries = Files.list(target)) {
            for (Path entry : new ArrayList<>(entries.toList())) {
                sh.stagehand.core.workspace.Filestores.delete(entry);
            }
        }
        catch (IOException ignored) {
            // a scratch directory; the caller deletes it
        }
    }
}
