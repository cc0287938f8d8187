package sh.stagehand.core.project;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomDomainsTest
{
    private static final String PLATFORM = "stagehand.example";

    @Test
    void testNamesAreKeptLowercaseInAsciiWithoutRepeats()
    {
        assertThat(CustomDomains.normalize(List.of(" WWW.Example.com. ", "www.example.com", "shop.exämple.de", "a-b.co.uk"), PLATFORM, Set.of()))
                .containsExactly("www.example.com", "shop.xn--exmple-cua.de", "a-b.co.uk");
        assertThat(CustomDomains.normalize(List.of("shop.localhost"), PLATFORM, Set.of())).as("a local name, handy for a trial").containsExactly("shop.localhost");
    }

    @Test
    void testWhatIsNotAHostNameIsRefusedWithWhatToSend()
    {
        assertRefused("https://www.example.com/", "without a scheme, port or path");
        assertRefused("www.example.com:8443", "without a scheme, port or path");
        assertRefused("", "empty");
        assertRefused("localhost", "not a full domain name");
        assertRefused("-shop.example.com", "valid");
        assertRefused("shop..example.com", "valid");
        assertRefused("shop_1.example.com", "not a valid host name");
        assertRefused("a".repeat(64) + ".example.com", "valid");
        assertRefused("10.0.0.1", "IP address");
        assertRefused("shop.stagehand.example", "under the platform's domain");
        assertRefused("STAGEHAND.example", "under the platform's domain");
        assertThatThrownBy(() -> CustomDomains.normalize(Collections.nCopies(51, "www.example.com"), PLATFORM, Set.of()))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("at most 50");
    }

    @Test
    void testThePlatformsOwnNameIsNobodysHoweverItIsWritten()
    {
        java.util.Set<String> own = Set.of(CustomDomains.hostOf("https://Console.Hosting.example/"));
        for (String disguised : List.of("console.hosting.example", "CONSOLE.hosting.example.", "console\u3002hosting\u3002example", "\uff43onsole.hosting.example")) {
            assertThatThrownBy(() -> CustomDomains.normalize(List.of(disguised), PLATFORM, own))
                    .as(disguised)
                    .isInstanceOf(StagehandException.class)
                    .hasMessageContaining("the platform's own name console.hosting.example");
        }
    }

    private static void assertRefused(String domain, String message)
    {
        assertThatThrownBy(() -> CustomDomains.normalize(domain, PLATFORM))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining(message);
    }
}
