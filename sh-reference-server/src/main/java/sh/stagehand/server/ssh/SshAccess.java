package sh.stagehand.server.ssh;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.keyboard.InteractiveChallenge;
import org.apache.sshd.server.auth.keyboard.KeyboardInteractiveAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * SSH into builds' shells (Apache MINA sshd): {@code ssh -p <port> <build>@<host>}, where
 * {@code <build>} is a build's number or its branch's host name, with a key of the user's
 * profile. The key says who: the shell is that account's, checked, audited and kept in
 * {@code shell.log} as the web shell's is; {@code ssh … psql -c '…'} runs one command.
 *
 * <p>Nothing else: no password, no port or agent forwarding, no X11, no subsystem (sftp); a
 * session without a shell or a command does nothing. A key on no profile is refused at
 * authentication, with a message of keyboard-interactive's (shown by a client that may ask, not
 * in BatchMode); a role without the shell on the build is told so, and the session ends.
 * Thread-safe.
 */
public final class SshAccess
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(SshAccess.class);
    static final String REFUSED = "This SSH key is on no Stagehand profile: add its public half (the .pub file) on your profile (Account, SSH keys), "
            + "then log in as <build>@<this host>, the build's number or its branch's host name.";

    private static final AttributeRepository.AttributeKey<Boolean> TOLD = new AttributeRepository.AttributeKey<>();

    private final SshServer server;

    /**
     * @param hostKey where the server's host key is kept (made on the first start)
     */
    public SshAccess(Stagehand stagehand, SshConfig config, Path hostKey)
    {
        requireNonNull(stagehand, "stagehand is null");
        requireNonNull(config, "config is null");
        server = SshServer.setUpDefaultServer();
        server.setHost(config.host());
        server.setPort(config.port());
        server.setKeyPairProvider(hostKeys(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> authenticate(stagehand, key, session));
        server.setPasswordAuthenticator(null);
        // Only after every key offered was refused: a message, no prompt, and a refusal.
        server.setKeyboardInteractiveAuthenticator(new KeyboardInteractiveAuthenticator()
        {
            @Override
            public InteractiveChallenge generateChallenge(ServerSession session, String username, String language, String subMethods)
            {
                // Said once a connection: a client asks again (NumberOfPasswordPrompts).
                if (session.setAttribute(TOLD, Boolean.TRUE) != null) {
                    return null;
                }
                InteractiveChallenge challenge = new InteractiveChallenge();
                challenge.setInteractionName("Stagehand");
                challenge.setInteractionInstruction(REFUSED);
                return challenge;
            }

            @Override
            public boolean authenticate(ServerSession session, String username, List<String> responses)
            {
                return false;
            }
        });
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setAgentFactory(null);
        server.setSubsystemFactories(List.of());
        server.setShellFactory(channel -> new SshShellCommand(stagehand, Optional.empty()));
        server.setCommandFactory((channel, command) -> new SshShellCommand(stagehand, Optional.of(command)));
        CoreModuleProperties.AUTH_TIMEOUT.set(server, Duration.ofSeconds(20));
        server.addSessionListener(new SessionCaps());
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(server, 6);
    }

    // Connections capped, on the whole and from one address, before they authenticate: a flood of
    // idle connections holds no more than that of the server's files and memory.
    private static final class SessionCaps
            implements SessionListener
    {
        private static final int MAX_SESSIONS = 256;
        private static final int MAX_PER_ADDRESS = 32;

        private static final AttributeRepository.AttributeKey<String> ADDRESS = new AttributeRepository.AttributeKey<>();

        private final AtomicInteger sessions = new AtomicInteger();
        private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

        @Override
        public void sessionCreated(Session session)
        {
            String address = String.valueOf(SshdSocketAddress.toAddressString(session.getRemoteAddress()));
            session.setAttribute(ADDRESS, address);
            int all = sessions.incrementAndGet();
            int mine = perAddress.computeIfAbsent(address, ignored -> new AtomicInteger()).incrementAndGet();
            if (all > MAX_SESSIONS || mine > MAX_PER_ADDRESS) {
                log.warn("SSH: a connection from {} refused: {} open, {} from it (at most {} and {})", address, all, mine, MAX_SESSIONS, MAX_PER_ADDRESS);
                session.close(true);
            }
        }

        @Override
        public void sessionClosed(Session session)
        {
            String address = session.getAttribute(ADDRESS);
            if (address == null) {
                return;
            }
            sessions.decrementAndGet();
            perAddress.computeIfPresent(address, (ignored, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    public SshAccess start()
    {
        try {
            server.start();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot listen for SSH on " + server.getHost() + ":" + server.getPort() + " (" + e.getMessage()
                    + "): set " + SshConfig.PORT.name() + " to a free port, or " + SshConfig.ENABLED.name() + "=false", e);
        }
        log.info("SSH into builds' shells on {}:{}", server.getHost(), port());
        return this;
    }

    public int port()
    {
        return server.getPort();
    }

    // Any key of a profile logs in: what its account may reach is checked when the shell
    // opens, where the client can be told.
    private static boolean authenticate(Stagehand stagehand, PublicKey key, Session session)
    {
        Optional<Account> account = stagehand.accounts().accountWithSshKey(PublicKeyEntry.toString(key));
        account.ifPresent(found -> session.setAttribute(SshShellCommand.ACCOUNT, found));
        if (account.isEmpty()) {
            log.info("SSH: a {} key on no profile refused, from {}", KeyUtils.getKeyType(key), SshdSocketAddress.toAddressString(session.getRemoteAddress()));
        }
        return account.isPresent();
    }

    // An ECDSA P-256 key of the server's own, kept beside its data (its directory the server's alone).
    private static SimpleGeneratorHostKeyProvider hostKeys(Path file)
    {
        try {
            Files.createDirectories(file.getParent());
            Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot make the directory of the SSH host key " + file, e);
        }
        SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(file);
        provider.setAlgorithm(KeyUtils.EC_ALGORITHM);
        provider.setKeySize(256);
        return provider;
    }

    @Override
    public void close()
    {
        try {
            server.stop(true);
        }
        catch (IOException e) {
            log.warn("Cannot stop the SSH server cleanly: {}", e.getMessage());
        }
    }
}
