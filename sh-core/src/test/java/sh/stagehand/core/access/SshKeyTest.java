package sh.stagehand.core.access;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SshKeyTest
{
    // Made with ssh-keygen -t ed25519 -C azure@laptop; ssh-keygen -lf says SHA256:0Cp02nkCbvE4n3eZJfZerE0USm0tPyvF3ljMBeBaDTU.
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN7vMxw2wY2S1W5aQBJx97SVSqozOb+r4EDhuRHxGXY8 azure@laptop";
    static final String OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDHX0ew0bsS015HOVTFZa67sZCuAOBhntwUZe8PxappU deco@desktop";
    // ssh-keygen -t rsa -b 1024: too weak.
    private static final String WEAK_RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDGqrYrZSQKWCk5W4CusTb9MOX9qe5L7k7OsavdFNi11tiNHDRk7uN3c6fbYNtNfZBDulFeo7W8bQ5WS7Jurg7u9Xz7KDJilauCHjg0j1j7jIIHjY/lWHP2YC42cCDo8ZK7c6v6clOa58fHslS5dNFlk3yWaAqFlVdjAYJirO+jLQ== weak";

    @Test
    void testAKeyAsSshKeygenWritesIt()
    {
        SshKey key = SshKey.parse("azure", "  " + KEY + "\n", "", Instant.EPOCH);
        assertThat(key.fingerprint()).isEqualTo("SHA256:0Cp02nkCbvE4n3eZJfZerE0USm0tPyvF3ljMBeBaDTU");
        assertThat(key.type()).isEqualTo("ssh-ed25519");
        assertThat(key.publicKey()).isEqualTo(KEY.substring(0, KEY.lastIndexOf(' ')));
        assertThat(key.title()).as("its comment").isEqualTo("azure@laptop");
        assertThat(SshKey.parse("azure", KEY, "Work laptop", Instant.EPOCH).title()).isEqualTo("Work laptop");
    }

    @Test
    void testWhatIsNotAPublicKeyIsRefusedWithWhatToPaste()
    {
        assertRefused("", "paste the content of your ~/.ssh/id_ed25519.pub");
        assertRefused("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA", "private key");
        assertRefused("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "is not taken");
        assertRefused("ssh-ed25519 not*base64", "not base64");
        assertRefused("ssh-rsa " + KEY.split(" ")[1], "its content is a ssh-ed25519 key");
        assertRefused("ssh-ed25519 " + KEY.split(" ")[1].substring(0, 30), "cut short");
        assertRefused(WEAK_RSA, "has 1024 bits; use at least 2048");
    }

    private static void assertRefused(String line, String message)
    {
        assertThatThrownBy(() -> SshKey.parse("azure", line, "", Instant.EPOCH))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining(message);
    }
}
