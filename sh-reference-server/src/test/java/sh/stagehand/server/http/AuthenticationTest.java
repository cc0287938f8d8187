package sh.stagehand.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticationTest
{
    @Test
    void testThePlatformsCredentialsNeverReachABuild()
    {
        assertThat(Authentication.cookiesForBuild("session_id=odoo1; stagehand_session=secret; frontend_lang=en_US"))
                .contains("session_id=odoo1; frontend_lang=en_US");
        assertThat(Authentication.cookiesForBuild("__Host-stagehand_session=secret")).isEmpty();
        assertThat(Authentication.cookiesForBuild(" STAGEHAND_SESSION = secret ;session_id=x")).contains("session_id=x");
        assertThat(Authentication.cookiesForBuild(null)).isEmpty();

        assertThat(Authentication.isPlatformAuthorization("Bearer sht_0123_abc")).isTrue();
        assertThat(Authentication.isPlatformAuthorization("bearer SHT_0123_abc")).isTrue();
        assertThat(Authentication.isPlatformAuthorization("Basic YWRtaW46YWRtaW4=")).as("the build's own").isFalse();
        // git's HTTP Basic, a token as password (or as user name), in any case and spacing.
        String basic = java.util.Base64.getEncoder().encodeToString("admin:sht_0123abcd_secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Authentication.isPlatformAuthorization("Basic " + basic)).isTrue();
        assertThat(Authentication.isPlatformAuthorization("  bAsIc \t " + basic + "  ")).isTrue();
        assertThat(Authentication.isPlatformAuthorization("Basic " + basic.replace("=", ""))).as("unpadded").isTrue();
        assertThat(Authentication.isPlatformAuthorization("Basic " + java.util.Base64.getEncoder().encodeToString("sht_0123_x:".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).isTrue();
        assertThat(Authentication.isPlatformAuthorization("  Bearer    sht_0123_abc")).isTrue();
        assertThat(Authentication.isPlatformAuthorization("token sht_0123_abc")).isTrue();
        assertThat(Authentication.isPlatformAuthorization("Bearer odoo-api-key")).as("the build's own").isFalse();
        // The metrics' scrape token, a scraper pointed at a build's host name by mistake.
        assertThat(Authentication.isPlatformAuthorization("Bearer shm_0123456789abcdef")).isTrue();
        assertThat(Authentication.headerForBuild("Authorization", "Bearer SHM_0123456789abcdef")).isEmpty();

        assertThat(Authentication.headerForBuild("X-CSRF-Token", "abc")).isEmpty();
        assertThat(Authentication.headerForBuild("x-csrf-token", "abc")).isEmpty();
        assertThat(Authentication.headerForBuild("AUTHORIZATION", "Bearer sht_0123_abc")).isEmpty();
        assertThat(Authentication.headerForBuild("Authorization", "Basic YWRtaW46YWRtaW4=")).contains("Basic YWRtaW46YWRtaW4=");
        assertThat(Authentication.headerForBuild("Cookie", "__Host-stagehand_session=x; session_id=y")).contains("session_id=y");
        assertThat(Authentication.headerForBuild("Accept", "text/html")).contains("text/html");

        assertThat(Authentication.setsSessionCookie("stagehand_session=attacker; Domain=example.com; Path=/api")).isTrue();
        assertThat(Authentication.setsSessionCookie("session_id=abc; HttpOnly")).isFalse();
        assertThat(Authentication.setsSessionCookie(" __HOST-Stagehand_Session=x; Path=/; Secure")).isTrue();
    }
}
