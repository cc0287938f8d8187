package sh.stagehand.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link DatabaseProvider} must do with databases as wholes: create, list, copy, rename,
 * snapshot and drop them, keeping their content, refusing what would overwrite or inject. The
 * content is written and read through {@link #writeMarker} and {@link #readMarker}, so that a
 * provider that is not PostgreSQL (an in-memory one) passes the same checks;
 * {@link BasePostgresDatabaseProviderContractTest} adds what a PostgreSQL provider must do with its
 * tenants' roles, SQL and dumps.
 */
public abstract class BaseDatabaseProviderContractTest
{
    protected final String prefix = "ct_" + UUID.randomUUID().toString().substring(0, 8) + "_";

    /** The provider under test; the same instance for every test of one class. */
    protected abstract DatabaseProvider provider();

    /** Leaves {@code value} in the database, as its tenant would, replacing what this wrote before. */
    protected abstract void writeMarker(String database, DatabaseConnection credentials, String value);

    /** What {@link #writeMarker} left in the database, read as its tenant would. */
    protected abstract String readMarker(String database, DatabaseConnection credentials);

    @AfterEach
    public void dropDatabases()
    {
        provider().list(prefix).forEach(provider()::drop);
    }

    @Test
    public void testCreatesAndDropsIdempotently()
    {
        String name = prefix + "main";
        assertThat(provider().exists(name)).isFalse();
        DatabaseConnection credentials = provider().create(name);
        assertThat(provider().exists(name)).isTrue();
        assertThat(credentials.user()).isNotBlank();
        writeMarker(name, credentials, "created");
        assertThat(readMarker(name, credentials)).isEqualTo("created");

        assertThat(provider().drop(name)).isTrue();
        assertThat(provider().exists(name)).isFalse();
        assertThat(provider().drop(name)).isFalse();
        assertThat(provider().create(name).user()).as("a new database of a dropped one's name").isNotBlank();
    }

    @Test
    public void testTellsADatabasesSize()
    {
        String name = prefix + "size";
        DatabaseConnection credentials = provider().create(name);
        long empty = provider().size(name);
        assertThat(empty).isPositive();
        writeMarker(name, credentials, "grown");
        assertThat(provider().size(name)).isGreaterThan(empty);
        assertThatThrownBy(() -> provider().size(prefix + "absent"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testCreateTwiceFails()
    {
        String name = prefix + "twice";
        provider().create(name);
        assertThatThrownBy(() -> provider().create(name))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()))
                .hasMessageContaining(name);
    }

    @Test
    public void testListsByPrefixSorted()
    {
        provider().create(prefix + "b");
        provider().create(prefix + "a");
        provider().create(prefix + "c-1.x");
        assertThat(provider().list(prefix)).containsExactly(prefix + "a", prefix + "b", prefix + "c-1.x");
        assertThat(provider().list(prefix + "b")).containsExactly(prefix + "b");
        assertThat(provider().list("")).contains(prefix + "a").doesNotContain("postgres", "template0", "template1");
    }

    @Test
    public void testRejectsNamesThatCouldInject()
    {
        for (String name : new String[] {"x\"; DROP DATABASE postgres; --", "a b", "-leading-dash", "", "x'y", "é", "a".repeat(64)}) {
            assertThatThrownBy(() -> provider().create(name))
                    .as(name)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
            assertThatThrownBy(() -> provider().drop(name)).as(name).isInstanceOf(StagehandException.class);
            assertThatThrownBy(() -> provider().exists(name)).as(name).isInstanceOf(StagehandException.class);
            assertThatThrownBy(() -> provider().copy(prefix + "any", name)).as(name).isInstanceOf(StagehandException.class);
        }
        assertThatThrownBy(() -> provider().list("x'"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
    }

    @Test
    public void testCopiesTheContentToADatabaseOfItsOwn()
    {
        String source = prefix + "production";
        DatabaseConnection production = provider().create(source);
        writeMarker(source, production, "production's data");

        DatabaseConnection copy = provider().copy(source, prefix + "staging");

        assertThat(copy.user()).as("a copy is another tenant's").isNotEqualTo(production.user());
        assertThat(readMarker(prefix + "staging", copy)).isEqualTo("production's data");
        writeMarker(prefix + "staging", copy, "written in the copy");
        assertThat(readMarker(source, production)).isEqualTo("production's data");
    }

    @Test
    public void testCopyRefusesAMissingSourceAndAnExistingTarget()
    {
        provider().create(prefix + "there");
        assertThatThrownBy(() -> provider().copy(prefix + "missing", prefix + "target"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
        assertThat(provider().exists(prefix + "target")).isFalse();
        provider().create(prefix + "taken");
        assertThatThrownBy(() -> provider().copy(prefix + "there", prefix + "taken"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));
    }

    @Test
    public void testRenamesKeepingTheContent()
    {
        DatabaseConnection old = provider().create(prefix + "staging-1");
        writeMarker(prefix + "staging-1", old, "kept");

        DatabaseConnection renamed = provider().rename(prefix + "staging-1", prefix + "staging-2");

        assertThat(provider().exists(prefix + "staging-1")).isFalse();
        assertThat(renamed.user()).isEqualTo(prefix + "staging-2");
        assertThat(readMarker(prefix + "staging-2", renamed)).isEqualTo("kept");
        provider().create(prefix + "other");
        assertThatThrownBy(() -> provider().rename(prefix + "staging-2", prefix + "other"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));
        assertThatThrownBy(() -> provider().rename(prefix + "missing", prefix + "staging-3"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testASnapshotPutsTheContentBack()
    {
        String name = prefix + "prod";
        DatabaseConnection credentials = provider().create(name);
        writeMarker(name, credentials, "17.0.1.0");

        provider().snapshot(name, prefix + "snap");
        DatabaseConnection renewed = provider().renewCredentials(name);
        writeMarker(name, renewed, "17.0.2.0, half migrated");
        assertThatThrownBy(() -> provider().snapshot(name, prefix + "snap"))
                .as("a snapshot's name is taken")
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));

        provider().restoreSnapshot(prefix + "snap", name);

        assertThat(provider().exists(prefix + "snap")).isFalse();
        assertThat(readMarker(name, renewed)).as("the snapshot's content, reached with the renewed credentials").isEqualTo("17.0.1.0");
        assertThatThrownBy(() -> provider().restoreSnapshot(prefix + "snap", name))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testMissingDatabasesAreNotFound(@TempDir Path temp)
    {
        String missing = prefix + "missing";
        for (Runnable call : List.<Runnable>of(
                () -> provider().dump(missing, temp.resolve("missing.sql")),
                () -> provider().snapshot(missing, prefix + "snap"),
                () -> provider().renewCredentials(missing),
                () -> provider().query(missing, "SELECT 1", List.of()),
                () -> provider().execute(missing, "SELECT 1", List.of()))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
        }
        assertThat(provider().list(prefix)).isEmpty();
    }

    @Test
    public void testAReaderReadsAndWritesOnlyWhileAllowed()
    {
        String name = prefix + "production";
        DatabaseConnection owner = provider().create(name);
        writeMarker(name, owner, "production's data");

        DatabaseConnection reader = provider().reader(name);
        assertThat(reader.user()).isNotEqualTo(owner.user());
        assertThat(readMarker(name, reader)).isEqualTo("production's data");
        assertThatThrownBy(() -> writeMarker(name, reader, "a mistake")).as("a reader writes nothing").isInstanceOf(AssertionError.class);

        provider().allowReaderWrites(name);
        writeMarker(name, reader, "a fix, allowed");
        assertThat(readMarker(name, owner)).isEqualTo("a fix, allowed");
        DatabaseConnection later = provider().reader(name);
        writeMarker(name, later, "a fix from a shell opened while allowed");

        provider().revokeReaderWrites(name);
        provider().revokeReaderWrites(name);
        assertThatThrownBy(() -> writeMarker(name, later, "after the grant")).isInstanceOf(AssertionError.class);
        assertThat(readMarker(name, owner)).isEqualTo("a fix from a shell opened while allowed");
        writeMarker(name, owner, "the server writes as ever");

        DatabaseConnection again = provider().reader(name);
        assertThat(again).as("one login for every shell, so that one opening breaks no other").isEqualTo(reader);
        assertThat(readMarker(name, reader)).isEqualTo("the server writes as ever");

        provider().allowReaderWrites(name);
        provider().drop(name);
        provider().revokeReaderWrites(name);
        assertThatThrownBy(() -> provider().reader(name))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
        provider().create(name);
        DatabaseConnection fresh = provider().reader(name);
        assertThatThrownBy(() -> writeMarker(name, fresh, "x")).as("a new database's reader starts read-only").isInstanceOf(AssertionError.class);
    }
}
