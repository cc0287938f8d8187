package sh.stagehand.core.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilestoresTest
{
    @Test
    void testACopySharesEveryFileThroughHardLinks(@TempDir Path temp)
            throws IOException
    {
        Path production = temp.resolve("filestore/acme-production");
        write(production.resolve("ab/ab12"), "contract");
        write(production.resolve("cd/cd34"), "invoice");
        write(production.resolve("checklist/ab/ab12"), "");

        long files = Filestores.linkCopy(production, temp.resolve("staging/filestore/acme-staging-7"));

        assertThat(files).isEqualTo(3);
        Path copy = temp.resolve("staging/filestore/acme-staging-7/ab/ab12");
        assertThat(Files.readString(copy)).isEqualTo("contract");
        assertThat(Files.getAttribute(copy, "unix:ino")).isEqualTo(Files.getAttribute(production.resolve("ab/ab12"), "unix:ino"));
        assertThat((int) Files.getAttribute(copy, "unix:nlink")).isEqualTo(2);
        // Odoo deletes a file no attachment uses any more: the other copy keeps it.
        Files.delete(copy);
        assertThat(Files.readString(production.resolve("ab/ab12"))).isEqualTo("contract");
        assertThatThrownBy(() -> Filestores.linkCopy(production, temp.resolve("staging/filestore/acme-staging-7")))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("the target exists");
    }

    @Test
    void testAMissingFilestoreCopiesAsAnEmptyOne(@TempDir Path temp)
    {
        assertThat(Filestores.linkCopy(temp.resolve("none"), temp.resolve("copy"))).isZero();
        assertThat(temp.resolve("copy")).isEmptyDirectory();
    }

    @Test
    void testRestoringASnapshotPutsTheFilestoreBackAsItWas(@TempDir Path temp)
            throws IOException
    {
        Path filestore = temp.resolve("data/filestore/acme-production");
        write(filestore.resolve("ab/ab12"), "contract");
        Path snapshot = temp.resolve("snapshots/42");

        Filestores.snapshot(filestore, snapshot);
        // What a failed update leaves: a new file, and a deleted one.
        write(filestore.resolve("ef/ef56"), "written by the failed update");
        Files.delete(filestore.resolve("ab/ab12"));
        Filestores.restore(snapshot, filestore);

        assertThat(Files.readString(filestore.resolve("ab/ab12"))).isEqualTo("contract");
        assertThat(filestore.resolve("ef/ef56")).doesNotExist();
        assertThat(snapshot).doesNotExist();
        assertThat(temp.resolve("snapshots/42.partial")).doesNotExist();
        assertThatThrownBy(() -> Filestores.restore(snapshot, filestore))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("No filestore snapshot");
    }

    private static void write(Path file, String content)
            throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
