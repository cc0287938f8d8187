package sh.stagehand.core.access;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Accounts in memory, lost when the process stops: for embedding and trying the platform out.
 * sh-postgres replaces it. Thread-safe.
 */
public final class InMemoryAccountStore
        implements AccountStore
{
    private final Map<String, Account> accounts = new TreeMap<>();
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, ApiToken> tokens = new LinkedHashMap<>();
    private final Map<String, Map<String, Role>> collaborators = new TreeMap<>();
    private final Map<String, SshKey> keys = new LinkedHashMap<>();
    private final List<AuditEvent> audit = new ArrayList<>();

    @Override
    public synchronized void createAccount(Account account)
    {
        if (accounts.putIfAbsent(account.login(), account) != null) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Login " + account.login() + " is taken; pick another");
        }
    }

    @Override
    public synchronized void updateAccount(Account account)
    {
        if (accounts.replace(account.login(), account) == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No account " + account.login());
        }
    }

    @Override
    public synchronized Optional<Account> findAccount(String login)
    {
        return Optional.ofNullable(accounts.get(login));
    }

    @Override
    public synchronized List<Account> listAccounts()
    {
        return List.copyOf(accounts.values());
    }

    @Override
    public synchronized void saveSession(Session session)
    {
        sessions.put(session.idHash(), session);
    }

    @Override
    public synchronized Optional<Session> findSession(String idHash)
    {
        return Optional.ofNullable(sessions.get(idHash));
    }

    @Override
    public synchronized void deleteSession(String idHash)
    {
        sessions.remove(idHash);
    }

    @Override
    public synchronized void deleteSessions(String login)
    {
        sessions.values().removeIf(session -> session.login().equals(login));
    }

    @Override
    public synchronized int deleteSessionsEndedBefore(Instant now)
    {
        int before = sessions.size();
        sessions.values().removeIf(session -> session.expiresAt().isBefore(now));
        return before - sessions.size();
    }

    @Override
    public synchronized void saveToken(ApiToken token)
    {
        tokens.put(token.id(), token);
    }

    @Override
    public synchronized Optional<ApiToken> findTokenByHash(String hash)
    {
        return tokens.values().stream().filter(token -> token.hash().equals(hash)).findFirst();
    }

    @Override
    public synchronized List<ApiToken> listTokens(String login)
    {
        return tokens.values().stream()
                .filter(token -> token.login().equals(login))
                .sorted(Comparator.comparing(ApiToken::createdAt).thenComparing(ApiToken::id).reversed())
                .toList();
    }

    @Override
    public synchronized void saveCollaborator(Collaborator collaborator)
    {
        collaborators.computeIfAbsent(collaborator.projectId(), project -> new TreeMap<>()).put(collaborator.login(), collaborator.role());
    }

    @Override
    public synchronized boolean deleteCollaborator(String projectId, String login)
    {
        return collaborators.getOrDefault(projectId, new TreeMap<>()).remove(login) != null;
    }

    @Override
    public synchronized List<Collaborator> listCollaborators(String projectId)
    {
        return collaborators.getOrDefault(projectId, Map.of()).entrySet().stream()
                .map(entry -> new Collaborator(projectId, entry.getKey(), entry.getValue()))
                .toList();
    }

    @Override
    public synchronized Map<String, Role> rolesOf(String login)
    {
        Map<String, Role> roles = new TreeMap<>();
        collaborators.forEach((project, members) -> Optional.ofNullable(members.get(login)).ifPresent(role -> roles.put(project, role)));
        return roles;
    }

    @Override
    public synchronized void addSshKey(SshKey key)
    {
        SshKey existing = keys.putIfAbsent(key.fingerprint(), key);
        if (existing != null) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, existing.login().equals(key.login())
                    ? "You have that SSH key already, as '" + existing.title() + "'"
                    : "That SSH key is another account's; SSH access must tell its users apart, so make a key of your own (ssh-keygen -t ed25519)");
        }
    }

    @Override
    public synchronized List<SshKey> listSshKeys(String login)
    {
        return keys.values().stream().filter(key -> key.login().equals(login)).toList();
    }

    @Override
    public synchronized Optional<SshKey> findSshKey(String fingerprint)
    {
        return Optional.ofNullable(keys.get(fingerprint));
    }

    @Override
    public synchronized boolean deleteSshKey(String login, String fingerprint)
    {
        SshKey key = keys.get(fingerprint);
        return key != null && key.login().equals(login) && keys.remove(fingerprint) != null;
    }

    @Override
    public synchronized AuditEvent appendAudit(AuditEvent event)
    {
        AuditEvent stored = new AuditEvent(audit.size() + 1, event.projectId(), event.actor(), event.action(), event.detail(), event.at());
        audit.add(stored);
        return stored;
    }

    @Override
    public synchronized List<AuditEvent> listAudit(Optional<String> projectId, int limit)
    {
        List<AuditEvent> newest = new ArrayList<>();
        for (int i = audit.size() - 1; i >= 0 && newest.size() < limit; i--) {
            if (audit.get(i).projectId().equals(projectId)) {
                newest.add(audit.get(i));
            }
        }
        return newest;
    }
}
