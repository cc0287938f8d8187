package sh.stagehand.github;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A real SSH server (Apache MINA sshd) on loopback that serves {@code git-upload-pack} of the
 * repositories under a directory, as GitHub serves {@code git@github.com:owner/repo.git}, and
 * notes every public key a client offers. Thread-safe.
 */
final class TestingSshGitServer
        implements AutoCloseable
{
    private static final Pattern UPLOAD_PACK = Pattern.compile("git-upload-pack '/?([A-Za-z0-9._/-]+)'");

    private final SshServer server;
    private final KeyPair hostKey;
    private final List<String> offeredKeys = new CopyOnWriteArrayList<>();

    /**
     * @param accepted which of the offered keys log in
     */
    TestingSshGitServer(Path repositories, Predicate<PublicKey> accepted)
    {
        this(repositories, accepted, 0, newHostKey());
    }

    /**
     * @param port 0 for any free one
     */
    TestingSshGitServer(Path repositories, Predicate<PublicKey> accepted, int port, KeyPair hostKey)
    {
        requireNonNull(repositories, "repositories is null");
        requireNonNull(accepted, "accepted is null");
        this.hostKey = requireNonNull(hostKey, "hostKey is null");
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> {
            offeredKeys.add(authorizedKey(key));
            return accepted.test(key);
        });
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new UploadPackCommand(repositories, command));
        try {
            server.start();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair newHostKey()
    {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    int port()
    {
        return server.getPort();
    }

    /** The server's host key, as a {@code known_hosts} line for this port. */
    String knownHostsLine()
    {
        return "[127.0.0.1]:" + port() + " " + authorizedKey(hostKey.getPublic());
    }

    PublicKey hostKey()
    {
        return hostKey.getPublic();
    }

    /** Every key a client offered, as {@code ssh-ed25519 AAAA...}, in order. */
    List<String> offeredKeys()
    {
        return List.copyOf(offeredKeys);
    }

    static String authorizedKey(PublicKey key)
    {
        return PublicKeyEntry.toString(key);
    }

    @Override
    public void close()
            throws IOException
    {
        server.stop(true);
    }

    private static final class UploadPackCommand
            implements Command
    {
        private final Path repositories;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(Path repositories, String command)
        {
            this.repositories = repositories;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in)
        {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out)
        {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err)
        {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit)
        {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment environment)
        {
            Thread thread = new Thread(this::serve, "testing-ssh-git");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve()
        {
            Matcher matcher = UPLOAD_PACK.matcher(command);
            if (!matcher.matches()) {
                exit.onExit(1, "only git-upload-pack is served: " + command);
                return;
            }
            Path directory = repositories.resolve(matcher.group(1));
            Path gitDirectory = java.nio.file.Files.isDirectory(directory.resolve(".git")) ? directory.resolve(".git") : directory;
            try (Repository repository = new FileRepositoryBuilder().setGitDir(gitDirectory.toFile()).setMustExist(true).build()) {
                new UploadPack(repository).upload(in, out, err);
                out.flush();
                exit.onExit(0);
            }
            catch (IOException | RuntimeException e) {
                exit.onExit(1, e.toString());
            }
        }

        @Override
        public void destroy(ChannelSession channel)
        {
        }
    }
}
