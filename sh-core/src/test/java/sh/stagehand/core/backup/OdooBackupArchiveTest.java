package sh.stagehand.core.backup;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OdooBackupArchiveTest
{
    private static final String MANIFEST = "{\"odoo_dump\": \"1\", \"db_name\": \"acme\", \"major_version\": \"%s\", \"modules\": {\"base\": \"17.0.1.3\"}}";

    @Test
    void testExtractsAZipOfOdoosDatabaseManager(@TempDir Path temp)
            throws IOException
    {
        Path zip = zip(temp, Map.of("dump.sql", "SELECT 1;\n", "manifest.json", MANIFEST.formatted("17.0"), "filestore/ab/ab12", "logo"));
        Path target = Files.createDirectories(temp.resolve("out"));

        OdooBackupArchive.Extracted extracted = OdooBackupArchive.extract(zip, target, OdooBackupArchive.Limits.DEFAULT, "17.0");

        assertThat(extracted.dump()).hasContent("SELECT 1;");
        assertThat(extracted.filestore().resolve("ab/ab12")).hasContent("logo");
        assertThat(extracted.manifest()).hasValueSatisfying(manifest -> assertThat(manifest).containsEntry("db_name", "acme"));
    }

    @Test
    void testRefusesHostileEntriesWritingNothing(@TempDir Path temp)
            throws IOException
    {
        for (String evil : new String[] {"../../etc/cron.d/evil", "/etc/passwd", "filestore/../../escape", "C:\\\\Windows\\\\evil", "filestore\\\\..\\\\x", "notes.txt"}) {
            Path zip = zip(temp, Map.of("dump.sql", "SELECT 1;\n", evil, "pwned"));
            Path target = Files.createDirectories(temp.resolve("out-" + Math.abs(evil.hashCode())));
            assertThatThrownBy(() -> OdooBackupArchive.extract(zip, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                    .as(evil)
                    .isInstanceOf(StagehandException.class)
                    .hasMessageContaining("Nothing was imported");
            assertThat(target).as(evil).isEmptyDirectory();
        }
    }

    @Test
    void testRefusesSymbolicLinks(@TempDir Path temp)
            throws IOException
    {
        Path zip = temp.resolve("link.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            add(out, "dump.sql", "SELECT 1;");
            ZipArchiveEntry link = new ZipArchiveEntry("filestore/ab/link");
            link.setUnixMode(0120777);
            out.putArchiveEntry(link);
            out.write("/etc/shadow".getBytes(StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        Path target = Files.createDirectories(temp.resolve("out"));
        assertThatThrownBy(() -> OdooBackupArchive.extract(zip, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                .hasMessageContaining("is a symbolic link");
        assertThat(target).isEmptyDirectory();
    }

    @Test
    void testRefusesAZipBombBeforeItFillsTheDisk(@TempDir Path temp)
            throws IOException
    {
        Path zip = temp.resolve("bomb.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            add(out, "dump.sql", "SELECT 1;");
            out.putArchiveEntry(new ZipArchiveEntry("filestore/zz/zeros"));
            byte[] zeros = new byte[1 << 20];
            for (int megabyte = 0; megabyte < 64; megabyte++) {
                out.write(zeros);
            }
            out.closeArchiveEntry();
        }
        assertThat(Files.size(zip)).as("64 MiB of zeros deflate to a few hundred kB").isLessThan(1 << 20);
        Path target = Files.createDirectories(temp.resolve("out"));
        assertThatThrownBy(() -> OdooBackupArchive.extract(zip, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                .hasMessageContaining("expands more than 200 times its compressed size");
        assertThat(target).isEmptyDirectory();
        assertThatThrownBy(() -> OdooBackupArchive.extract(zip, target, new OdooBackupArchive.Limits(1000, 10 << 20, 100_000), "17.0"))
                .hasMessageContaining("it expands to more than 10485760 bytes");
        assertThat(target).isEmptyDirectory();
    }

    @Test
    void testRefusesAnotherMajorVersionATruncatedZipAndNotAZip(@TempDir Path temp)
            throws IOException
    {
        Path zip = zip(temp, Map.of("dump.sql", "SELECT 1;\n", "manifest.json", MANIFEST.formatted("16.0")));
        Path target = Files.createDirectories(temp.resolve("out"));
        assertThatThrownBy(() -> OdooBackupArchive.extract(zip, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                .hasMessageContaining("a database of Odoo 16.0, and this platform runs Odoo 17.0; upgrade it");
        assertThat(target).isEmptyDirectory();

        byte[] whole = Files.readAllBytes(zip(temp, Map.of("dump.sql", "SELECT 1;\n")));
        Path truncated = Files.write(temp.resolve("truncated.zip"), java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> OdooBackupArchive.extract(truncated, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                .hasMessageContaining("Cannot read truncated.zip as a zip of Odoo's database manager");
        Path noDump = zip(temp, Map.of("manifest.json", MANIFEST.formatted("17.0")));
        assertThatThrownBy(() -> OdooBackupArchive.extract(noDump, target, OdooBackupArchive.Limits.DEFAULT, "17.0"))
                .hasMessageContaining("it has no dump.sql");
    }

    private static Path zip(Path temp, Map<String, String> entries)
            throws IOException
    {
        Path zip = Files.createTempFile(temp, "backup-", ".zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            for (Map.Entry<String, String> entry : new LinkedHashMap<>(entries).entrySet()) {
                add(out, entry.getKey(), entry.getValue());
            }
        }
        return zip;
    }

    private static void add(ZipArchiveOutputStream out, String name, String content)
            throws IOException
    {
        out.putArchiveEntry(new ZipArchiveEntry(name));
        out.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeArchiveEntry();
    }
}
