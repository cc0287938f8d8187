package sh.stagehand.core.access;

import sh.stagehand.core.access.AccountService.IssuedToken;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.core.access.AccountService.TOKEN_PREFIX;
import static sh.stagehand.spi.RandomSecrets.randomHex;
import static sh.stagehand.spi.RandomSecrets.randomToken;

/**
 * An account's API tokens: made (the secret shown once, its hash kept), recognised until revoked,
 * their last use recorded (at most once a minute). Thread-safe.
 */
final class ApiTokens
{
    private final AccountStore store;
    private final Clock clock;
    private final AuditTrail audit;

    ApiTokens(AccountStore store, Clock clock, AuditTrail audit)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    IssuedToken create(Account caller, String name)
    {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Name the token (1 to 200 characters), e.g. {\"name\": \"CI deploy\"}, to know it again when revoking it");
        }
        String id = randomHex(6);
        String secret = TOKEN_PREFIX + id + "_" + randomToken(32);
        ApiToken token = new ApiToken(id, caller.login(), name.strip(), Sha256.hex(secret), clock.instant(), Optional.empty(), Optional.empty());
        store.saveToken(token);
        audit.record(Optional.empty(), caller.login(), AuditAction.TOKEN_CREATED, token.name() + " (" + id + ")");
        return new IssuedToken(token, secret);
    }

    Optional<Account> authenticate(String secret)
    {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX)) {
            return Optional.empty();
        }
        Optional<ApiToken> token = store.findTokenByHash(Sha256.hex(secret.strip())).filter(found -> found.revokedAt().isEmpty());
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (token.get().lastUsedAt().map(last -> last.plus(AccountService.TOUCH_EVERY).isBefore(now)).orElse(true)) {
            store.saveToken(token.get().withLastUsedAt(now));
        }
        return store.findAccount(token.get().login());
    }

    List<ApiToken> list(Account caller)
    {
        return store.listTokens(caller.login());
    }

    ApiToken revoke(Account caller, String tokenId)
    {
        ApiToken token = store.listTokens(caller.login()).stream()
                .filter(found -> found.id().equals(tokenId))
                .findFirst()
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "You have no token " + tokenId));
        if (token.revokedAt().isPresent()) {
            return token;
        }
        ApiToken revoked = token.withRevokedAt(clock.instant());
        store.saveToken(revoked);
        audit.record(Optional.empty(), caller.login(), AuditAction.TOKEN_REVOKED, token.name() + " (" + tokenId + ")");
        return revoked;
    }
}
