package sh.stagehand.core.access;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every store of accounts must do, the in-memory one and the PostgreSQL one alike. Each test
 * uses accounts and projects of its own, so one store may serve every test of the class.
 */
public abstract class BaseAccountStoreContractTest
{
    protected static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    // An ed25519 key made with ssh-keygen.
    protected static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN7vMxw2wY2S1W5aQBJx97SVSqozOb+r4EDhuRHxGXY8 azure@laptop";

    protected abstract AccountStore accounts();

    /**
     * The project store the account store lives beside (collaborators name its projects).
     */
    protected abstract ProjectStore projects();

    @Test
    void testAccounts()
    {
        Account account = account();
        accounts().createAccount(account);
        assertThat(accounts().findAccount(account.login())).contains(account);
        assertThat(accounts().listAccounts()).contains(account);
        assertThatThrownBy(() -> accounts().createAccount(account))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));

        Account changed = account.withPasswordHash("$argon2id$other");
        accounts().updateAccount(changed);
        assertThat(accounts().findAccount(account.login())).contains(changed);
        Account withEmail = changed.withEmail(Optional.of("azure@example.com"));
        accounts().updateAccount(withEmail);
        assertThat(accounts().findAccount(account.login())).contains(withEmail);
        assertThat(accounts().findAccount("nobody-" + UUID.randomUUID())).isEmpty();
        assertThatThrownBy(() -> accounts().updateAccount(account("nobody")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    void testSessionsEndOneByOneAllTogetherOrWhenTheyExpire()
    {
        Account account = account();
        accounts().createAccount(account);
        Session first = session(account, NOW.plusSeconds(3600));
        Session second = session(account, NOW.minusSeconds(1));
        accounts().saveSession(first);
        accounts().saveSession(second);
        assertThat(accounts().findSession(first.idHash())).contains(first);

        Session seen = first.withLastSeenAt(NOW.plusSeconds(60));
        accounts().saveSession(seen);
        assertThat(accounts().findSession(first.idHash())).contains(seen);

        assertThat(accounts().deleteSessionsEndedBefore(NOW)).isGreaterThanOrEqualTo(1);
        assertThat(accounts().findSession(second.idHash())).isEmpty();
        assertThat(accounts().findSession(first.idHash())).isPresent();

        Session third = session(account, NOW.plusSeconds(3600));
        accounts().saveSession(third);
        accounts().deleteSession(third.idHash());
        assertThat(accounts().findSession(third.idHash())).isEmpty();
        accounts().deleteSessions(account.login());
        assertThat(accounts().findSession(first.idHash())).isEmpty();
    }

    @Test
    void testTokensAreFoundByTheirHashAndKeepTheirRevocation()
    {
        Account account = account();
        accounts().createAccount(account);
        ApiToken older = new ApiToken(unique("t"), account.login(), "CI", unique("hash"), NOW, Optional.empty(), Optional.empty());
        ApiToken newer = new ApiToken(unique("t"), account.login(), "laptop", unique("hash"), NOW.plusSeconds(1), Optional.empty(), Optional.empty());
        accounts().saveToken(older);
        accounts().saveToken(newer);
        assertThat(accounts().findTokenByHash(older.hash())).contains(older);
        assertThat(accounts().findTokenByHash("no such hash")).isEmpty();
        assertThat(accounts().listTokens(account.login())).containsExactly(newer, older);

        ApiToken revoked = older.withLastUsedAt(NOW.plusSeconds(5)).withRevokedAt(NOW.plusSeconds(10));
        accounts().saveToken(revoked);
        assertThat(accounts().findTokenByHash(older.hash())).contains(revoked);
    }

    @Test
    void testRolesInProjects()
    {
        Account azure = account();
        Account deco = account();
        accounts().createAccount(azure);
        accounts().createAccount(deco);
        String shop = project();
        String blog = project();

        accounts().saveCollaborator(new Collaborator(shop, azure.login(), Role.ADMIN));
        accounts().saveCollaborator(new Collaborator(shop, deco.login(), Role.DEVELOPER));
        accounts().saveCollaborator(new Collaborator(blog, deco.login(), Role.TESTER));
        accounts().saveCollaborator(new Collaborator(shop, deco.login(), Role.TESTER));

        assertThat(accounts().listCollaborators(shop)).containsExactlyInAnyOrder(new Collaborator(shop, azure.login(), Role.ADMIN), new Collaborator(shop, deco.login(), Role.TESTER));
        assertThat(accounts().rolesOf(deco.login())).isEqualTo(Map.of(shop, Role.TESTER, blog, Role.TESTER));
        assertThat(accounts().deleteCollaborator(shop, deco.login())).isTrue();
        assertThat(accounts().deleteCollaborator(shop, deco.login())).isFalse();
        assertThat(accounts().rolesOf(deco.login())).isEqualTo(Map.of(blog, Role.TESTER));
    }

    @Test
    void testAnSshKeyIsOneAccountsOnly()
    {
        Account azure = account();
        Account deco = account();
        accounts().createAccount(azure);
        accounts().createAccount(deco);
        // Each run makes the key its own: a store may outlive a run.
        SshKey key = withUniqueFingerprint(SshKey.parse(azure.login(), KEY, "", NOW));
        accounts().addSshKey(key);
        assertThat(accounts().listSshKeys(azure.login())).containsExactly(key);

        assertThatThrownBy(() -> accounts().addSshKey(key))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()))
                .hasMessageContaining("already");
        assertThatThrownBy(() -> accounts().addSshKey(new SshKey(deco.login(), key.fingerprint(), key.type(), key.publicKey(), "stolen", NOW)))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()))
                .hasMessageContaining("another account's");
        assertThat(accounts().listSshKeys(deco.login())).isEmpty();
        assertThat(accounts().findSshKey(key.fingerprint())).as("whose a key is, for SSH").contains(key);

        assertThat(accounts().deleteSshKey(deco.login(), key.fingerprint())).as("only its owner removes it").isFalse();
        assertThat(accounts().deleteSshKey(azure.login(), key.fingerprint())).isTrue();
        assertThat(accounts().listSshKeys(azure.login())).isEmpty();
        assertThat(accounts().findSshKey(key.fingerprint())).isEmpty();
    }

    @Test
    void testTheAuditLogOfAProjectNewestFirst()
    {
        String shop = project();
        AuditEvent first = accounts().appendAudit(new AuditEvent(0, Optional.of(shop), "azure", AuditAction.STAGE_CHANGED, "main to production", NOW));
        AuditEvent second = accounts().appendAudit(new AuditEvent(0, Optional.of(shop), "azure", AuditAction.BACKUP_DOWNLOADED, "b1", NOW.plusSeconds(1)));
        accounts().appendAudit(new AuditEvent(0, Optional.of(project()), "deco", AuditAction.MERGED, "elsewhere", NOW));
        AuditEvent own = accounts().appendAudit(new AuditEvent(0, Optional.empty(), "azure-" + shop, AuditAction.TOKEN_CREATED, "CI", NOW));

        assertThat(second.id()).isGreaterThan(first.id());
        assertThat(accounts().listAudit(Optional.of(shop), 10)).containsExactly(second, first);
        assertThat(accounts().listAudit(Optional.of(shop), 1)).containsExactly(second);
        assertThat(accounts().listAudit(Optional.empty(), 1000)).contains(own).allSatisfy(event -> assertThat(event.projectId()).isEmpty());
    }

    private static Account account()
    {
        return account(unique("user"));
    }

    private static Account account(String login)
    {
        return new Account(login, "Azure Interior", "$argon2id$v=19$m=16384,t=2,p=1$c2FsdA$aGFzaA", false, NOW);
    }

    private static Session session(Account account, Instant expiresAt)
    {
        return new Session(unique("session"), account.login(), unique("csrf"), NOW.minusSeconds(7200), NOW.minusSeconds(60), expiresAt);
    }

    private String project()
    {
        String id = unique("p");
        projects().createProject(new Project(id, "https://github.com/acme/addons.git", Optional.empty(), "secret", NOW));
        return id;
    }

    private static SshKey withUniqueFingerprint(SshKey key)
    {
        return new SshKey(key.login(), key.fingerprint() + "-" + UUID.randomUUID(), key.type(), key.publicKey(), key.title(), key.addedAt());
    }

    private static String unique(String prefix)
    {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
