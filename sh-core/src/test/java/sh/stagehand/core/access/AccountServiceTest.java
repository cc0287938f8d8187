package sh.stagehand.core.access;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.MutableClock;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.PublicKeyDirectory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccountServiceTest
{
    private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final InMemoryAccountStore store = new InMemoryAccountStore();
    private final InMemoryPlatformStore projects = new InMemoryPlatformStore();
    private final AccountService accounts = service(Map.of(), Optional.empty());

    private AccountService service(Map<String, String> config, Optional<PublicKeyDirectory> publishedKeys)
    {
        return new AccountService(store, projects, AuthSettings.fromConfig(new StagehandConfig(config)), clock, publishedKeys);
    }

    @Test
    void testTheFirstRunMakesAnAdministratorOnce()
    {
        String password = accounts.ensureAdministrator().orElseThrow();
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        assertThat(accounts.ensureAdministrator()).isEmpty();
        Account admin = accounts.login("admin", password, "10.0.0.1").account();
        assertThat(admin.platformAdmin()).isTrue();
        assertThat(store.findAccount("admin").orElseThrow().passwordHash()).startsWith("$argon2id$").doesNotContain(password);
    }

    @Test
    void testPasswordsSessionsAndTheirEnd()
    {
        Account admin = admin();
        accounts.createAccount(admin, "azure", "Azure Interior", "correct horse battery", false);
        assertThatThrownBy(() -> accounts.createAccount(admin, "deco", "", "short", false)).hasMessageContaining("at least 8 characters");
        assertThatThrownBy(() -> accounts.createAccount(admin, "Deco Addict", "", "long enough password", false)).hasMessageContaining("lowercase letters");
        assertThatThrownBy(() -> accounts.createAccount(accounts.account("azure"), "deco", "", "long enough password", false))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()));

        assertThatThrownBy(() -> accounts.login("azure", "wrong", "10.0.0.2"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.UNAUTHENTICATED.toErrorCode()))
                .hasMessage("Wrong login or password");
        assertThatThrownBy(() -> accounts.login("nobody", "correct horse battery", "10.0.0.2")).hasMessage("Wrong login or password");

        AccountService.IssuedSession session = accounts.login(" Azure ", "correct horse battery", "10.0.0.2");
        assertThat(accounts.session(session.sessionId())).hasValueSatisfying(found -> {
            assertThat(found.account().login()).isEqualTo("azure");
            assertThat(found.session().orElseThrow().csrfToken()).isEqualTo(session.csrfToken());
        });
        assertThat(store.findSession(session.sessionId())).as("kept by its hash only").isEmpty();
        assertThat(accounts.session("forged")).isEmpty();

        // Idle for longer than auth.session-idle (8 h): ended.
        clock.advance(Duration.ofHours(7));
        assertThat(accounts.session(session.sessionId())).isPresent();
        clock.advance(Duration.ofHours(7));
        assertThat(accounts.session(session.sessionId())).as("seen 7 h ago").isPresent();
        clock.advance(Duration.ofHours(8).plusSeconds(1));
        assertThat(accounts.session(session.sessionId())).as("idle 8 h").isEmpty();

        // Used all along, it still ends after auth.session-max (7 days).
        AccountService.IssuedSession busy = accounts.login("azure", "correct horse battery", "10.0.0.2");
        for (int hour = 0; hour < 7 * 24 - 1; hour++) {
            clock.advance(Duration.ofHours(1));
            assertThat(accounts.session(busy.sessionId())).isPresent();
        }
        clock.advance(Duration.ofHours(1));
        assertThat(accounts.session(busy.sessionId())).isEmpty();

        // Logout, and a new password, end sessions.
        AccountService.IssuedSession other = accounts.login("azure", "correct horse battery", "10.0.0.2");
        AccountService.IssuedSession another = accounts.login("azure", "correct horse battery", "10.0.0.3");
        accounts.logout(other.sessionId());
        assertThat(accounts.session(other.sessionId())).isEmpty();
        assertThatThrownBy(() -> accounts.changePassword(accounts.account("azure"), "wrong", "a new long password")).hasMessageContaining("current password is wrong");
        accounts.changePassword(accounts.account("azure"), "correct horse battery", "a new long password");
        assertThat(accounts.session(another.sessionId())).isEmpty();
        assertThat(accounts.login("azure", "a new long password", "10.0.0.2").account().login()).isEqualTo("azure");
    }

    @Test
    void testFailedLoginsWaitLongerEachTimeWithoutLockingTheUserOut()
    {
        Account admin = admin();
        accounts.createAccount(admin, "azure", "Azure", "correct horse battery", false);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> accounts.login("azure", "guess", "10.0.0.9")).hasMessage("Wrong login or password");
        }
        // From the guesser's address even the right password waits: it must not learn it was right.
        assertThatThrownBy(() -> accounts.login("azure", "correct horse battery", "10.0.0.9"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.TOO_MANY_REQUESTS.toErrorCode()))
                .hasMessageContaining("try again in 60 s");
        // The user, elsewhere, still logs in.
        assertThat(accounts.login("azure", "correct horse battery", "10.0.0.7").account().login()).isEqualTo("azure");
        clock.advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> accounts.login("azure", "guess", "10.0.0.9")).hasMessage("Wrong login or password");
        assertThatThrownBy(() -> accounts.login("azure", "guess", "10.0.0.9")).hasMessageContaining("try again in 120 s");
        clock.advance(Duration.ofSeconds(121));
        assertThat(accounts.login("azure", "correct horse battery", "10.0.0.9").account().login()).isEqualTo("azure");
        // Each failure is audited, the lockout once; a waiting attempt writes nothing.
        assertThat(store.listAudit(Optional.empty(), 100)).filteredOn(event -> event.action() == AuditAction.LOGIN_THROTTLED).hasSize(1);
        assertThat(store.listAudit(Optional.empty(), 100)).filteredOn(event -> event.action() == AuditAction.LOGIN_FAILED).hasSize(6);

        // One address guessing many logins waits too; a login no account can have is not audited.
        for (int i = 0; i < 20; i++) {
            String login = "user" + i;
            assertThatThrownBy(() -> accounts.login(login, "guess", "10.6.6.6")).hasMessage("Wrong login or password");
        }
        assertThatThrownBy(() -> accounts.login("azure", "correct horse battery", "10.6.6.6")).hasMessageContaining("try again in");
        int audited = store.listAudit(Optional.empty(), 1000).size();
        assertThatThrownBy(() -> accounts.login("x".repeat(10_000) + " OR 1=1", "guess", "10.5.5.5")).hasMessage("Wrong login or password");
        assertThat(store.listAudit(Optional.empty(), 1000)).hasSize(audited);

        // Many addresses guessing one login: past twenty times as many failures, each address has
        // one try before it waits, instead of five.
        accounts.createAccount(admin, "deco", "Deco", "correct horse battery", false);
        for (int i = 0; i < 100; i++) {
            String address = "10.1.0." + i;
            assertThatThrownBy(() -> accounts.login("deco", "guess", address)).hasMessage("Wrong login or password");
        }
        assertThatThrownBy(() -> accounts.login("deco", "guess", "10.2.0.1")).hasMessage("Wrong login or password");
        assertThatThrownBy(() -> accounts.login("deco", "guess", "10.2.0.1")).as("one try, under attack").hasMessageContaining("try again in 60 s");
        assertThat(accounts.login("deco", "correct horse battery", "10.2.0.2").account().login()).as("the user, from a fresh address").isEqualTo("deco");
    }

    @Test
    void testAHundredBadLoginsNeverLockTheUserOutOfAFreshAddress()
    {
        Account admin = admin();
        accounts.createAccount(admin, "azure", "Azure", "correct horse battery", false);
        // A patient guesser at one address: it waits out each lockout and guesses again, 100 times.
        int failures = 0;
        while (failures < 100) {
            try {
                accounts.login("azure", "guess " + failures, "203.0.113.9");
                throw new AssertionError("a guess logged in");
            }
            catch (StagehandException e) {
                if (e.errorCode().equals(StandardErrorCode.UNAUTHENTICATED.toErrorCode())) {
                    failures++;
                }
                clock.advance(Duration.ofMinutes(1));
            }
        }
        // Then guessers at other addresses: each is heard once, then waits.
        for (int i = 0; i < 5; i++) {
            String address = "198.51.100." + i;
            assertThatThrownBy(() -> accounts.login("azure", "guess", address)).hasMessage("Wrong login or password");
            assertThatThrownBy(() -> accounts.login("azure", "guess", address)).hasMessageContaining("try again in");
        }
        assertThatThrownBy(() -> accounts.login("azure", "correct horse battery", "203.0.113.9")).as("the guesser's address waits")
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.TOO_MANY_REQUESTS.toErrorCode()));
        // The user, at an address of their own, logs in with the right password.
        assertThat(accounts.login("azure", "correct horse battery", "192.0.2.10").account().login()).isEqualTo("azure");
        assertThat(accounts.login("azure", "correct horse battery", "2001:db8:1:2::10").account().login()).isEqualTo("azure");
    }

    @Test
    void testAnIpv6GuesserCountsAsOneAddressPerSlash64()
    {
        Account admin = admin();
        accounts.createAccount(admin, "azure", "Azure", "correct horse battery", false);
        // A host of an IPv6 network has 2^64 addresses: each try from a new one is still the same guesser.
        for (int i = 1; i <= 5; i++) {
            String address = "2001:db8:6:6::" + Integer.toHexString(i);
            assertThatThrownBy(() -> accounts.login("azure", "guess", address)).hasMessage("Wrong login or password");
        }
        assertThatThrownBy(() -> accounts.login("azure", "guess", "[2001:db8:6:6:ffff::1]")).hasMessageContaining("try again in");
        assertThat(accounts.login("azure", "correct horse battery", "2001:db8:6:7::1").account().login()).as("the next /64").isEqualTo("azure");
    }

    @Test
    void testANewPasswordRevokesEveryTokenAndEveryOtherSession()
    {
        Account azure = accounts.createAccount(admin(), "azure", "Azure", "correct horse battery", false);
        AccountService.IssuedToken token = accounts.createToken(azure, "CI deploy");
        AccountService.IssuedSession laptop = accounts.login("azure", "correct horse battery", "10.0.0.2");
        AccountService.IssuedSession phone = accounts.login("azure", "correct horse battery", "10.0.0.3");

        AccountService.IssuedSession renewed = accounts.changePassword(azure, "correct horse battery", "a new long password");

        assertThat(accounts.authenticateToken(token.secret())).as("a token made before the change").isEmpty();
        assertThat(accounts.tokens(azure)).singleElement().satisfies(revoked -> assertThat(revoked.revokedAt()).contains(START));
        assertThat(accounts.session(phone.sessionId())).as("another session").isEmpty();
        assertThat(accounts.session(laptop.sessionId())).as("the changing session's old id too: it gets a new one").isEmpty();
        assertThat(accounts.session(renewed.sessionId())).hasValueSatisfying(found -> assertThat(found.account().login()).isEqualTo("azure"));
        assertThat(renewed.csrfToken()).isNotEqualTo(laptop.csrfToken());
        assertThat(store.listAudit(Optional.empty(), 1)).singleElement().satisfies(event -> {
            assertThat(event.action()).isEqualTo(AuditAction.PASSWORD_CHANGED);
            assertThat(event.detail()).isEqualTo("every other session ended, 1 API token revoked");
        });
        // Tokens made after it work.
        assertThat(accounts.authenticateToken(accounts.createToken(azure, "new").secret())).isPresent();
    }

    @Test
    void testTokensAreShownOnceAndEndWhenRevoked()
    {
        Account azure = accounts.createAccount(admin(), "azure", "Azure", "correct horse battery", false);
        AccountService.IssuedToken issued = accounts.createToken(azure, "CI deploy");
        assertThat(issued.secret()).startsWith("sht_" + issued.token().id() + "_");
        assertThat(store.listTokens("azure")).singleElement().satisfies(token -> assertThat(token.hash()).isNotEqualTo(issued.secret()).hasSize(64));
        assertThat(accounts.authenticateToken(issued.secret()).map(Account::login)).contains("azure");
        assertThat(accounts.authenticateToken(issued.secret() + "x")).isEmpty();
        assertThat(accounts.authenticateToken("Bearer nonsense")).isEmpty();
        assertThat(accounts.tokens(azure)).singleElement().satisfies(token -> assertThat(token.lastUsedAt()).contains(START));

        accounts.revokeToken(azure, issued.token().id());
        assertThat(accounts.authenticateToken(issued.secret())).isEmpty();
        assertThatThrownBy(() -> accounts.revokeToken(accounts.account("admin"), issued.token().id())).as("only its owner's").hasMessageContaining("no token");
        assertThatThrownBy(() -> accounts.createToken(azure, " ")).hasMessageContaining("Name the token");
    }

    @Test
    void testRolesAreOdooShsAndAProjectKeepsAnAdmin()
    {
        Account admin = admin();
        Account azure = accounts.createAccount(admin, "azure", "Azure", "correct horse battery", false);
        Account deco = accounts.createAccount(admin, "deco", "Deco", "correct horse battery", false);
        projects.createProject(new Project("shop", "/srv/git/shop.git", Optional.empty(), "secret", START));
        accounts.addCreator(azure, "shop");

        assertThatThrownBy(() -> accounts.roleIn(deco, "shop")).as("not a collaborator: no such project")
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
        accounts.setRole(azure, "shop", "deco", Role.DEVELOPER);
        accounts.requireTool(deco, "shop", Stage.DEVELOPMENT, Tool.LOGS);
        assertThatThrownBy(() -> accounts.requireTool(deco, "shop", Stage.STAGING, Tool.LOGS))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PERMISSION_DENIED.toErrorCode()))
                .hasMessage("A developer of project shop has no logs on staging branches; ask one of its admins");
        assertThatThrownBy(() -> accounts.setRole(deco, "shop", "deco", Role.ADMIN)).as("a developer makes nobody admin").hasMessageContaining("Only an admin");
        assertThatThrownBy(() -> accounts.collaborators(deco, "shop")).hasMessageContaining("Only an admin");

        assertThatThrownBy(() -> accounts.setRole(azure, "shop", "azure", Role.TESTER)).hasMessageContaining("last admin");
        assertThatThrownBy(() -> accounts.removeCollaborator(azure, "shop", "azure")).hasMessageContaining("last admin");
        accounts.setRole(azure, "shop", "deco", Role.ADMIN);
        accounts.setRole(deco, "shop", "azure", Role.TESTER);
        assertThat(accounts.roleIn(azure, "shop")).isEqualTo(Role.TESTER);
        assertThat(accounts.roleIn(admin, "shop")).as("a platform administrator").isEqualTo(Role.ADMIN);
        assertThatThrownBy(() -> accounts.setRole(deco, "shop", "nobody", Role.TESTER)).hasMessageContaining("No account nobody");

        assertThat(accounts.audit(deco, "shop", 10)).extracting(AuditEvent::action, AuditEvent::actor)
                .startsWith(org.assertj.core.groups.Tuple.tuple(AuditAction.ROLE_CHANGED, "deco"), org.assertj.core.groups.Tuple.tuple(AuditAction.ROLE_CHANGED, "azure"))
                .endsWith(org.assertj.core.groups.Tuple.tuple(AuditAction.PROJECT_CREATED, "azure"));
    }

    @Test
    void testSshKeysByHandAndFromGitHub()
    {
        Account azure = accounts.createAccount(admin(), "azure", "Azure", "correct horse battery", false);
        SshKey key = accounts.addSshKey(azure, SshKeyTest.KEY, "");
        assertThat(accounts.sshKeys(azure)).containsExactly(key);

        // A GitHub user's published keys, one per line, as sh-github reads them from <auth.github-url>/<user>.keys.
        PublicKeyDirectory github = (host, user) -> {
            assertThat(host).as("the configured GitHub").hasToString("http://github.test");
            if (!user.equals("azure-interior")) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "GitHub has no user " + user);
            }
            return List.of(SshKeyTest.KEY.substring(0, SshKeyTest.KEY.lastIndexOf(' ')), SshKeyTest.OTHER_KEY.substring(0, SshKeyTest.OTHER_KEY.lastIndexOf(' ')));
        };
        AccountService withGitHub = service(Map.of("auth.github-url", "http://github.test"), Optional.of(github));
        assertThat(withGitHub.importGitHubKeys(azure, "azure-interior")).as("the key it has already is left").singleElement()
                .satisfies(added -> assertThat(added.title()).isEqualTo("GitHub azure-interior"));
        assertThat(withGitHub.sshKeys(azure)).hasSize(2);
        assertThat(withGitHub.importGitHubKeys(azure, "azure-interior")).as("imported again: nothing new").isEmpty();
        assertThatThrownBy(() -> withGitHub.importGitHubKeys(azure, "nobody")).hasMessageContaining("GitHub has no user nobody");
        assertThatThrownBy(() -> accounts.importGitHubKeys(azure, "azure-interior")).as("no module reads GitHub's keys")
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_SUPPORTED.toErrorCode()));

        accounts.removeSshKey(azure, key.fingerprint());
        assertThatThrownBy(() -> accounts.removeSshKey(azure, key.fingerprint())).hasMessageContaining("no SSH key");
    }

    private Account admin()
    {
        accounts.ensureAdministrator();
        return accounts.account("admin");
    }
}
