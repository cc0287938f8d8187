package sh.stagehand.server.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest
{
    @Test
    void testWithoutTrustedProxiesXForwardedForIsIgnored()
    {
        ClientAddress none = ClientAddress.trusting(List.of());
        // A guesser on the same machine (or behind a proxy nobody declared) writes what it likes: it stays itself.
        assertThat(none.of("127.0.0.1", List.of("203.0.113.7"))).isEqualTo("127.0.0.1");
        assertThat(none.of("198.51.100.1", List.of("10.0.0.1, 203.0.113.7"))).isEqualTo("198.51.100.1");
    }

    @Test
    void testATrustedProxysHopsAreReadFromTheRight()
    {
        ClientAddress proxies = ClientAddress.trusting(List.of("127.0.0.1", "::1", "10.0.0.0/8"));
        assertThat(proxies.of("127.0.0.1", List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
        // What the client wrote itself is left of what the proxy appended: never believed.
        assertThat(proxies.of("127.0.0.1", List.of("192.0.2.66, 203.0.113.7"))).isEqualTo("203.0.113.7");
        // A chain of trusted proxies: the first hop that is none of them.
        assertThat(proxies.of("127.0.0.1", List.of("192.0.2.66, 203.0.113.7, 10.1.2.3"))).isEqualTo("203.0.113.7");
        assertThat(proxies.of("127.0.0.1", List.of("192.0.2.66", "203.0.113.7, 10.1.2.3"))).as("two headers, one list").isEqualTo("203.0.113.7");
        assertThat(proxies.of("[::1]", List.of("2001:db8::7"))).isEqualTo("2001:db8::7");
        assertThat(proxies.of("127.0.0.1", List.of())).as("no header").isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("unknown"))).as("not an address").isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("evil.example.com"))).as("never looked up").isEqualTo("127.0.0.1");
        // Only the declared ones are trusted.
        assertThat(proxies.of("198.51.100.1", List.of("203.0.113.7"))).isEqualTo("198.51.100.1");
        assertThat(proxies.isTrusted("11.0.0.1")).isFalse();
        assertThat(proxies.isTrusted("10.255.0.1")).isTrue();
        assertThat(ClientAddress.trusting(List.of("192.168.4.0/23")).isTrusted("192.168.5.9")).isTrue();
        assertThat(ClientAddress.trusting(List.of("192.168.4.0/23")).isTrusted("192.168.6.1")).isFalse();
    }
}
