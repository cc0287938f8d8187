package sh.stagehand.core.workspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.files.ContainerUser;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilestoresTest
{
    private static final ContainerUser USER = ContainerUser.ofThisProcess();

    @Test
    void testACopySharesEveryFileThroughHardLinks(@TempDir Path temp)
            throws IOException
    {
        ContainerDirectory production = ContainerDirectory.create(temp.resolve("production/data"), USER);
        Path filestore = production.root().resolve("filestore/acme-production");
        write(filestore.resolve("ab/ab12"), "contract");
        write(filestore.resolve("cd/cd34"), "invoice");
        write(filestore.resolve("checklist/ab/ab12"), "");
        ContainerDirectory staging = ContainerDirectory.create(temp.resolve("7/data"), USER);

        ContainerDirectory.Copy copied = Filestores.linkCopy(production, Filestores.of("acme-production"), staging, Filestores.of("acme-staging-7"));

        assertThat(copied.files()).isEqualTo(3);
        assertThat(copied.leftOut()).isEmpty();
        Path copy = temp.resolve("7/data/filestore/acme-staging-7/ab/ab12");
        assertThat(Files.readString(copy)).isEqualTo("contract");
        assertThat(Files.getAttribute(copy, "unix:ino")).isEqualTo(Files.getAttribute(filestore.resolve("ab/ab12"), "unix:ino"));
        assertThat((int) Files.getAttribute(copy, "unix:nlink")).isEqualTo(2);
        // Odoo deletes a file no attachment uses any more: the other copy keeps it.
        Files.delete(copy);
        assertThat(Files.readString(filestore.resolve("ab/ab12"))).isEqualTo("contract");
        assertThatThrownBy(() -> Filestores.linkCopy(production, Filestores.of("acme-production"), temp.resolve("7/data/filestore/acme-staging-7")))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("the target exists");
    }

    @Test
    void testAMissingFilestoreCopiesAsAnEmptyOne(@TempDir Path temp)
            throws IOException
    {
        ContainerDirectory production = ContainerDirectory.create(temp.resolve("production/data"), USER);
        assertThat(Filestores.linkCopy(production, Filestores.of("none"), temp.resolve("copy")).files()).isZero();
        assertThat(temp.resolve("copy")).isEmptyDirectory();
    }

    @Test
    void testRestoringASnapshotPutsTheFilestoreBackAsItWas(@TempDir Path temp)
            throws IOException
    {
        ContainerDirectory data = ContainerDirectory.create(temp.resolve("production/data"), USER);
        Path filestore = data.root().resolve("filestore/acme-production");
        write(filestore.resolve("ab/ab12"), "contract");
        Path snapshot = temp.resolve("production/snapshots/42");

        Filestores.snapshot(data, Filestores.of("acme-production"), snapshot);
        // What a failed update leaves: a new file, and a deleted one.
        write(filestore.resolve("ef/ef56"), "written by the failed update");
        Files.delete(filestore.resolve("ab/ab12"));
        Filestores.restore(snapshot, data, Filestores.of("acme-production"));

        assertThat(Files.readString(filestore.resolve("ab/ab12"))).isEqualTo("contract");
        assertThat(filestore.resolve("ef/ef56")).doesNotExist();
        assertThat(snapshot).doesNotExist();
        assertThat(temp.resolve("production/snapshots/42.partial")).doesNotExist();
        assertThatThrownBy(() -> Filestores.restore(snapshot, data, Filestores.of("acme-production")))
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
