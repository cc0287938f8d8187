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

        assertThat(Authentication.setsSessionCookie("stagehand_session=attacker; Domain=example.com; Path=/api")).isTrue();
        assertThat(Authentication.setsSessionCookie("session_id=abc; HttpOnly")).isFalse();
    }
}
