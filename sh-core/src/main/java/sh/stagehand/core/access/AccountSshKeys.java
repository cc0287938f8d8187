package sh.stagehand.core.access;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.PublicKeyDirectory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An account's SSH keys: pasted by hand, or imported from those a GitHub user publishes (read by
 * the {@link PublicKeyDirectory} a module such as sh-github binds), and removed. Thread-safe.
 */
final class AccountSshKeys
{
    private final AccountStore store;
    private final AuthSettings settings;
    private final Clock clock;
    private final AuditTrail audit;
    private final Optional<PublicKeyDirectory> publishedKeys;

    AccountSshKeys(AccountStore store, AuthSettings settings, Clock clock, AuditTrail audit, Optional<PublicKeyDirectory> publishedKeys)
    {
        this.store = requireNonNull(store, "store is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.publishedKeys = requireNonNull(publishedKeys, "publishedKeys is null");
    }

    SshKey add(Account caller, String publicKey, String title)
    {
        SshKey key = SshKey.parse(caller.login(), publicKey, title, clock.instant());
        save(caller, key);
        return key;
    }

    List<SshKey> list(Account caller)
    {
        return store.listSshKeys(caller.login());
    }

    void remove(Account caller, String fingerprint)
    {
        if (!store.deleteSshKey(caller.login(), fingerprint)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "You have no SSH key " + fingerprint);
        }
        audit.record(Optional.empty(), caller.login(), AuditAction.SSH_KEY_REMOVED, fingerprint);
    }

    // The keys the account has already are left as they are; each new one is added and audited.
    List<SshKey> importFromGitHub(Account caller, String githubUser)
    {
        PublicKeyDirectory directory = publishedKeys.orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_SUPPORTED,
                "This platform reads no GitHub keys (no PublicKeyDirectory such as sh-github's GitHubPublicKeys was given); paste the keys by hand"));
        List<String> published = directory.publicKeys(settings.githubUrl(), githubUser);
        List<String> known = store.listSshKeys(caller.login()).stream().map(SshKey::fingerprint).toList();
        List<SshKey> added = new ArrayList<>();
        for (String line : published) {
            SshKey key = SshKey.parse(caller.login(), line, "GitHub " + githubUser.strip(), clock.instant());
            if (!known.contains(key.fingerprint())) {
                save(caller, key);
                added.add(key);
            }
        }
        return added;
    }

    private void save(Account caller, SshKey key)
    {
        store.addSshKey(key);
        audit.record(Optional.empty(), caller.login(), AuditAction.SSH_KEY_ADDED, key.title() + " (" + key.fingerprint() + ")");
    }
}
