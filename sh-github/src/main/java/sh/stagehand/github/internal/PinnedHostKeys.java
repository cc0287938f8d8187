package sh.stagehand.github.internal;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The ssh host keys one project's repositories are known by, in a {@code known_hosts} file of
 * that project's own (never the platform's {@code ~/.ssh/known_hosts}): the first key a host
 * shows is pinned, and from then on only a pinned key is accepted. Keyed by the name the URL
 * gives ({@code host}, or {@code [host]:port}), not by the address connected to. Thread-safe.
 */
public final class PinnedHostKeys
        implements ServerKeyDatabase
{
    private static final Logger log = LoggerFactory.getLogger(PinnedHostKeys.class);
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final String name;
    private volatile boolean refusedAKey;

    /**
     * @param file the project's known_hosts
     * @param host the host as the repository URL names it
     */
    public PinnedHostKeys(Path file, String host, int port)
    {
        this.file = requireNonNull(file, "file is null").toAbsolutePath();
        requireNonNull(host, "host is null");
        this.name = port == 22 ? host : "[" + host + "]:" + port;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config)
    {
        List<PublicKey> keys = new ArrayList<>();
        for (String entry : pinned()) {
            try {
                keys.add(PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING));
            }
            catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                log.warn("Ignoring an unreadable host key of {} in {}: {}", name, file, e.toString());
            }
        }
        return keys;
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey, Configuration config, CredentialsProvider provider)
    {
        String offered = PublicKeyEntry.toString(serverKey);
        synchronized (LOCKS.computeIfAbsent(file, path -> new Object())) {
            List<String> pinned = pinned();
            if (pinned.isEmpty()) {
                try {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, name + " " + offered + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                catch (IOException e) {
                    throw new UncheckedIOException("Cannot pin the host key of " + name + " in " + file, e);
                }
                log.info("Pinned the ssh host key of {} (at {}) in {}: {}", name, remoteAddress, file, offered);
                return true;
            }
            if (pinned.contains(offered)) {
                return true;
            }
            refusedAKey = true;
            log.warn("The ssh host key of {} (at {}) is {}, not one pinned in {}: refused", name, remoteAddress, offered, file);
            return false;
        }
    }

    /** Whether a host showed a key other than the pinned ones. */
    public boolean refusedAKey()
    {
        return refusedAKey;
    }

    // "type base64" of each key pinned for this name
    private List<String> pinned()
    {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length >= 3 && fields[0].equals(name)) {
                    keys.add(fields[1] + " " + fields[2]);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the pinned host keys " + file, e);
        }
        return keys;
    }
}
