package sh.stagehand.github.internal;

import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.File;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * How one repository operation (a fetch, a listing, a push) reaches its remote, decided before
 * JGit opens anything: the URL passed the {@link RepositoryUrlPolicy}; https goes through
 * {@link CheckedHttpConnectionFactory}; ssh connects to the checked address and logs in with the
 * repository's deploy key and nothing else (no {@code ~/.ssh}, no agent, no ssh config), trusting
 * host keys pinned for that project alone ({@link PinnedHostKeys}). Give it to JGit as its
 * {@link TransportConfigCallback}, and close it after the operation. Not thread-safe: one per
 * operation.
 */
public final class RemoteAccess
        implements TransportConfigCallback, AutoCloseable
{
    private final RepositoryUrlPolicy.Target target;
    private final Optional<RepositoryUrlPolicy.Destination> destination;
    private final CheckedHttpConnectionFactory http;
    private final Optional<SshdSessionFactory> ssh;
    private final Optional<PinnedHostKeys> hostKeys;

    private RemoteAccess(RepositoryUrlPolicy.Target target, Optional<RepositoryUrlPolicy.Destination> destination, CheckedHttpConnectionFactory http,
            Optional<SshdSessionFactory> ssh, Optional<PinnedHostKeys> hostKeys)
    {
        this.target = target;
        this.destination = destination;
        this.http = http;
        this.ssh = ssh;
        this.hostKeys = hostKeys;
    }

    /**
     * Checks {@code url} (the repository's own, or one of its submodules') and prepares its
     * connection; nothing connects yet.
     *
     * @param sshDirectory where the platform keeps its ssh state: an empty home for the ssh
     *         client, and each deploy key's pinned host keys
     * @throws StagehandException {@code INVALID_ARGUMENT} if the URL is refused, or is an ssh URL
     *         of a repository without a deploy key; {@code PROVIDER_UNAVAILABLE} if its host has
     *         no address
     */
    public static RemoteAccess open(RepositoryUrlPolicy policy, RemoteRepository repository, String url, Path sshDirectory, Duration timeout)
    {
        requireNonNull(policy, "policy is null");
        requireNonNull(repository, "repository is null");
        requireNonNull(sshDirectory, "sshDirectory is null");
        RepositoryUrlPolicy.Target target = policy.target(url);
        CheckedHttpConnectionFactory http = new CheckedHttpConnectionFactory(policy);
        if (!(target instanceof RepositoryUrlPolicy.Network network)) {
            return new RemoteAccess(target, Optional.empty(), http, Optional.empty(), Optional.empty());
        }
        if (network.scheme() == RepositoryUrlPolicy.Scheme.SSH && repository.deployKey().isEmpty()) {
            // Without a key of its own, an ssh client would reach for the platform's.
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot use the ssh URL " + RepositoryUrlPolicy.shown(url)
                    + ": this repository has no deploy key of its own to log in with. Use its https URL (with a token if it is private), or give the project a deploy key");
        }
        RepositoryUrlPolicy.Destination destination = policy.check(network);
        if (network.scheme() != RepositoryUrlPolicy.Scheme.SSH) {
            return new RemoteAccess(target, Optional.of(destination), http, Optional.empty(), Optional.empty());
        }
        DeployKey key = repository.deployKey().orElseThrow();
        KeyPair keyPair = DeployKeys.keyPair(key);
        PinnedHostKeys pinned = new PinnedHostKeys(sshDirectory.resolve("known_hosts").resolve(fingerprint(key)), network.host(), network.port());
        File home = sshDirectory.resolve("home").toFile();
        SshdSessionFactory sessions = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(new File(home, ".ssh"))
                .setConfigStoreFactory((homeDirectory, configFile, localUser) -> new FixedHostConfig(destination, timeout))
                .setDefaultIdentities(directory -> List.of())
                .setDefaultKeysProvider(directory -> List.of(keyPair))
                .setDefaultKnownHostsFiles(directory -> List.of())
                .setServerKeyDatabase((homeDirectory, directory) -> pinned)
                .setConnectorFactory(null)
                .setProxyDataFactory(null)
                .setPreferredAuthentications("publickey")
                .build(new JGitKeyCache());
        return new RemoteAccess(target, Optional.of(destination), http, Optional.of(sessions), Optional.of(pinned));
    }

    public RepositoryUrlPolicy.Target target()
    {
        return target;
    }

    /** Whether an ssh host showed a key other than the one pinned for it. */
    public boolean refusedAHostKey()
    {
        return hostKeys.map(PinnedHostKeys::refusedAKey).orElse(false);
    }

    @Override
    public void configure(Transport transport)
    {
        if (transport instanceof SshTransport sshTransport) {
            sshTransport.setSshSessionFactory(ssh.orElseThrow(() -> unexpected(transport)));
        }
        else if (transport instanceof TransportHttp httpTransport) {
            if (destination.isEmpty()) {
                throw unexpected(transport);
            }
            httpTransport.setHttpConnectionFactory(http);
        }
        else if (destination.isPresent()) {
            // git://, sftp:// and the like never pass the policy: a network URL is ssh or http(s)
            throw unexpected(transport);
        }
    }

    @Override
    public void close()
    {
        ssh.ifPresent(SshdSessionFactory::close);
    }

    private StagehandException unexpected(Transport transport)
    {
        return RepositoryUrlPolicy.refused(target.url(), "JGit chose " + transport.getClass().getSimpleName() + " for it, which the policy did not check");
    }

    private static String fingerprint(DeployKey key)
    {
        return Sha256.hex(key.publicKey()).substring(0, 32);
    }

    /**
     * The only ssh configuration there is: the checked address, the deploy key alone, no agent.
     * (Not IdentitiesOnly: JGit then ignores the keys it is given that are not IdentityFiles, and
     * there is no agent to keep out.)
     */
    private static final class FixedHostConfig
            implements SshConfigStore, SshConfigStore.HostConfig
    {
        // ssh_config keys are case-insensitive
        private final Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        FixedHostConfig(RepositoryUrlPolicy.Destination destination, Duration timeout)
        {
            options.put(SshConstants.HOST_NAME, destination.address().getHostAddress());
            options.put(SshConstants.PORT, Integer.toString(destination.target().port()));
            options.put(SshConstants.USER, destination.target().user().orElse("git"));
            options.put(SshConstants.IDENTITY_AGENT, "none");
            options.put(SshConstants.ADD_KEYS_TO_AGENT, "no");
            options.put(SshConstants.PREFERRED_AUTHENTICATIONS, "publickey");
            options.put(SshConstants.STRICT_HOST_KEY_CHECKING, "yes");
            options.put(SshConstants.CONNECT_TIMEOUT, Long.toString(Math.max(1, timeout.toSeconds())));
        }

        @Override
        public HostConfig lookup(String hostName, int port, String userName)
        {
            return this;
        }

        @Override
        public HostConfig lookupDefault(String hostName, int port, String userName)
        {
            return this;
        }

        @Override
        public String getValue(String key)
        {
            return options.get(key);
        }

        @Override
        public List<String> getValues(String key)
        {
            return List.of();
        }

        @Override
        public Map<String, String> getOptions()
        {
            return Collections.unmodifiableMap(options);
        }

        @Override
        public Map<String, List<String>> getMultiValuedOptions()
        {
            return Map.of();
        }
    }
}
