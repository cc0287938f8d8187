package sh.stagehand.github.internal;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The repository URL policy on a hand-written DNS and set of interface addresses: nothing here
 * looks a name up or connects.
 */
class RepositoryUrlPolicyTest
{
    private final Map<String, List<InetAddress>> dns = new HashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final RepositoryUrlPolicy policy = new RepositoryUrlPolicy(Set.of("GitLab.Internal.Example.", "legacy.example"), host -> {
        lookups.add(host);
        List<InetAddress> addresses = dns.get(host);
        if (addresses == null) {
            if (host.matches("[0-9.]+|[0-9a-f:]+")) {
                return List.of(InetAddress.getByName(host));
            }
            throw new UnknownHostException(host);
        }
        return addresses;
    }, () -> Set.of(address("192.0.2.2"), address("93.184.216.34"), address("172.18.0.1")));

    @Test
    void testPublicHttpsAndSshUrlsPass()
    {
        dns.put("github.com", List.of(address("140.82.121.3"), address("2606:50c0:8000::154")));

        assertThat(policy.checkNetwork("https://github.com/acme/addons.git").target())
                .isEqualTo(new RepositoryUrlPolicy.Network("https://github.com/acme/addons.git", RepositoryUrlPolicy.Scheme.HTTPS, "github.com", 443, Optional.empty()));
        RepositoryUrlPolicy.Destination scp = policy.checkNetwork("git@github.com:acme/addons.git");
        assertThat(scp.target().scheme()).isEqualTo(RepositoryUrlPolicy.Scheme.SSH);
        assertThat(scp.target().port()).isEqualTo(22);
        assertThat(scp.target().user()).contains("git");
        assertThat(scp.address()).isEqualTo(address("140.82.121.3"));
        assertThat(policy.checkNetwork("ssh://git@GitHub.com:2222/acme/addons.git").target().port()).isEqualTo(2222);
        assertThat(policy.checkNetwork("git+ssh://github.com/acme/addons.git").target().scheme()).isEqualTo(RepositoryUrlPolicy.Scheme.SSH);
    }

    @Test
    void testAddressesInsideAreRefusedWhateverTheSchemeOrSpelling()
    {
        dns.put("localhost", List.of(address("127.0.0.1"), address("::1")));
        dns.put("metadata.google.internal", List.of(address("169.254.169.254")));
        dns.put("rebind.attacker.example", List.of(address("140.82.121.3"), address("10.0.0.7")));
        dns.put("gateway.attacker.example", List.of(address("172.18.0.1")));
        dns.put("platform.attacker.example", List.of(address("93.184.216.34")));
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("https://127.0.0.1:8080/x.git", "is a loopback address");
        refusals.put("ssh://git@127.0.0.1:22/x", "is a loopback address");
        refusals.put("git@127.0.0.1:x.git", "is a loopback address");
        refusals.put("https://[::1]/x.git", "is a loopback address");
        refusals.put("https://localhost/x.git", "resolves to a loopback address");
        refusals.put("https://LOCALHOST./x.git", "resolves to a loopback address");
        refusals.put("https://2130706433/x.git", "is a loopback address");
        refusals.put("https://0.0.0.0/x.git", "is the unspecified address");
        // JGit reads no host in it, and neither does the policy
        refusals.put("https://[::ffff:127.0.0.1]/x.git", "it names no host");
        refusals.put("https://[::ffff:7f00:1]/x.git", "is a loopback address");
        refusals.put("https://169.254.169.254/latest/meta-data/", "is a link-local address");
        refusals.put("https://metadata.google.internal/x.git", "resolves to a link-local address");
        refusals.put("https://10.1.2.3/x.git", "is a private network address");
        refusals.put("https://[fd00::1]/x.git", "is a private network address");
        refusals.put("https://100.64.0.1/x.git", "is a carrier-grade NAT address");
        refusals.put("https://224.0.0.1/x.git", "is a multicast address");
        refusals.put("https://203.0.113.50/x.git", "is a reserved or documentation address");
        refusals.put("https://93.184.216.34/x.git", "is one of the platform's own addresses");
        refusals.put("https://platform.attacker.example/x.git", "resolves to one of the platform's own addresses");
        refusals.put("https://gateway.attacker.example/x.git", "resolves to a private network address");
        // any address of the name, not the first only
        refusals.put("https://rebind.attacker.example/x.git", "resolves to a private network address");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            assertThatThrownBy(() -> policy.checkNetwork(refusal.getKey()))
                    .as(refusal.getKey())
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageStartingWith("The repository URL " + refusal.getKey() + " is refused: ")
                    .hasMessageContaining(refusal.getValue())
                    .hasMessageContaining("git.allowed-hosts");
        }
    }

    @Test
    void testOnlyHttpsAndSshSchemes()
    {
        dns.put("github.com", List.of(address("140.82.121.3")));
        Map<String, String> refusals = Map.of(
                "git://github.com/acme/addons.git", "git:// is neither encrypted nor authenticated",
                "http://github.com/acme/addons.git", "http:// is not encrypted",
                "ftp://github.com/acme/addons.git", "ftp:// is not a scheme",
                "sftp://github.com/acme/addons.git", "sftp:// is not a scheme",
                "amazon-s3://bucket@github.com/addons.git", "amazon-s3:// is not a scheme",
                "https://github.com:99999/acme/addons.git", "port 99999 is not one",
                "https://github.com/acme/addons.git\n", "white space",
                "https://github.com /acme/addons.git", "white space");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            assertThatThrownBy(() -> policy.target(refusal.getKey()))
                    .as(refusal.getKey())
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining(refusal.getValue());
        }
        assertThat(lookups).as("a refused scheme is not even looked up").isEmpty();
    }

    @Test
    void testPathsAndFileUrlsAreLocal()
    {
        assertThat(policy.target("/srv/git/acme.git")).isEqualTo(new RepositoryUrlPolicy.Local("/srv/git/acme.git"));
        assertThat(policy.target("file:///srv/git/acme.git")).isInstanceOf(RepositoryUrlPolicy.Local.class);
        // JGit reads an upper-case scheme as a relative path
        assertThat(policy.target("HTTPS://../../var/lib/stagehand/git/other.git")).isInstanceOf(RepositoryUrlPolicy.Local.class);
        assertThatThrownBy(() -> policy.checkNetwork("/srv/git/acme.git"))
                .hasMessageContaining("names a path on the platform's disk");
    }

    @Test
    void testAnOperatorAllowsHostsByName()
    {
        dns.put("gitlab.internal.example", List.of(address("10.20.30.40")));
        dns.put("legacy.example", List.of(address("192.168.7.7")));

        assertThat(policy.checkNetwork("https://gitlab.internal.example/acme/addons.git").address()).isEqualTo(address("10.20.30.40"));
        assertThat(policy.checkNetwork("git@GITLAB.internal.example:acme/addons.git").address()).isEqualTo(address("10.20.30.40"));
        // http only to an allowed host: the operator's own network
        assertThat(policy.checkNetwork("http://legacy.example/acme/addons.git").target().port()).isEqualTo(80);
        assertThat(policy.isAllowedHost("Legacy.Example.")).isTrue();
        // a name is allowed, not an address it shares
        assertThatThrownBy(() -> policy.checkNetwork("https://10.20.30.40/acme/addons.git")).hasMessageContaining("is a private network address");
    }

    @Test
    void testAnUnknownHostLooksLikeAnUnreachableOne()
    {
        assertThatThrownBy(() -> policy.checkNetwork("https://no-such-host.example/acme/addons.git"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode()))
                .hasMessage(RepositoryUrlPolicy.unreachable("https://no-such-host.example/acme/addons.git", null).getMessage());
    }

    @Test
    void testTheAddressAConnectionReachedIsCheckedToo()
    {
        RepositoryUrlPolicy.Network target = new RepositoryUrlPolicy.Network("https://rebind.attacker.example/x.git", RepositoryUrlPolicy.Scheme.HTTPS, "rebind.attacker.example", 443, Optional.empty());
        policy.checkConnected(target, address("140.82.121.3"));
        assertThatThrownBy(() -> policy.checkConnected(target, address("127.0.0.1")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("resolves to a loopback address");
        assertThatThrownBy(() -> policy.checkConnected(target, address("192.0.2.2"))).hasMessageContaining("a reserved or documentation address");
        RepositoryUrlPolicy.Network allowed = new RepositoryUrlPolicy.Network("https://legacy.example/x.git", RepositoryUrlPolicy.Scheme.HTTPS, "legacy.example", 443, Optional.empty());
        policy.checkConnected(allowed, address("192.168.7.7"));
    }

    @Test
    void testMessagesNeverShowAPassword()
    {
        assertThatThrownBy(() -> policy.checkNetwork("https://x-access-token:ghp_secret@127.0.0.1/acme/addons.git"))
                .hasMessageNotContaining("ghp_secret")
                .hasMessageContaining("https://x-access-token@127.0.0.1/acme/addons.git");
    }

    @Test
    void testThePlatformsOwnAddressesComeFromItsInterfaces()
            throws java.net.SocketException
    {
        RepositoryUrlPolicy system = new RepositoryUrlPolicy(Set.of());
        // every address of every interface here (up or down: the Docker bridges' gateways too) is refused
        List<InetAddress> own = java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses).toList();
        assertThat(own).isNotEmpty();
        for (InetAddress address : own) {
            String host = address instanceof java.net.Inet6Address ? "[" + address.getHostAddress().replaceAll("%.*", "") + "]" : address.getHostAddress();
            assertThatThrownBy(() -> system.checkNetwork("https://" + host + "/x.git"))
                    .as(host)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                    .hasMessageContaining("is refused");
        }
        // a public address of the platform's is refused as its own
        RepositoryUrlPolicy withPublicAddress = new RepositoryUrlPolicy(Set.of(), host -> List.of(InetAddress.getByName(host)), () -> Set.of(address("140.82.121.3")));
        assertThatThrownBy(() -> withPublicAddress.checkNetwork("https://140.82.121.3/x.git")).hasMessageContaining("is one of the platform's own addresses");
    }

    private static InetAddress address(String literal)
    {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
