package sh.stagehand.github.internal;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookEvent.BranchPush;
import sh.stagehand.spi.vcs.WebhookEvent.BranchPush.Change;
import sh.stagehand.spi.vcs.WebhookEvent.PushedCommit;
import sh.stagehand.spi.vcs.WebhookRequest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitHubWebhooksTest
{
    private static final String SECRET = "9f2c1a7e-webhook-secret-of-acme";
    private static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    private static final String ZEROS = "0000000000000000000000000000000000000000";
    private static final String MAIN_BEFORE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String FIRST = "a3c9e3f5b1d24e8f9c0a7b6d5e4f3a2b1c0d9e8f";
    private static final String SECOND = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    // As GitHub's "Webhook events and payloads" page documents a ping: the zen, the hook's id and configuration.
    private static final String PING = """
            {
              "zen": "Design for failure.",
              "hook_id": 468117063,
              "hook": {
                "type": "Repository",
                "id": 468117063,
                "name": "web",
                "active": true,
                "events": ["push"],
                "config": {
                  "content_type": "json",
                  "insecure_ssl": "0",
                  "url": "https://stagehand.example.com/webhooks/github"
                },
                "updated_at": "2024-03-14T09:12:45Z",
                "created_at": "2024-03-14T09:12:45Z",
                "url": "https://api.github.com/repos/acme/odoo-addons/hooks/468117063",
                "test_url": "https://api.github.com/repos/acme/odoo-addons/hooks/468117063/test",
                "ping_url": "https://api.github.com/repos/acme/odoo-addons/hooks/468117063/pings",
                "deliveries_url": "https://api.github.com/repos/acme/odoo-addons/hooks/468117063/deliveries",
                "last_response": {"code": null, "status": "unused", "message": null}
              },
              "repository": %s,
              "sender": %s
            }
            """.formatted(repository(), sender());

    private static final String UPDATED_MAIN = """
            {
              "ref": "refs/heads/main",
              "before": "%1$s",
              "after": "%3$s",
              "repository": %4$s,
              "pusher": {"name": "octocat", "email": "octocat@github.com"},
              "sender": %5$s,
              "created": false,
              "deleted": false,
              "forced": false,
              "base_ref": null,
              "compare": "https://github.com/acme/odoo-addons/compare/6113728f27ae...0d1a26e67d8f",
              "commits": [
                %6$s,
                %7$s
              ],
              "head_commit": %7$s
            }
            """.formatted(MAIN_BEFORE, FIRST, SECOND, repository(), sender(),
            commit(FIRST, "[ADD] sale_extra: discount lines", "Mona Lisa Octocat", "mona@acme.example", "sale_extra/__manifest__.py"),
            commit(SECOND, "[FIX] sale_extra: rounding of discounts\\n\\nThe total was off by a cent.", "Hubot", "hubot@acme.example", "sale_extra/models/sale.py"));

    private final GitHubWebhooks webhooks = new GitHubWebhooks();

    @Test
    void testPing()
    {
        assertThat(webhooks.parse(delivery("ping", PING), SECRET)).isEqualTo(new WebhookEvent.Ping(DELIVERY));
    }

    @Test
    void testPushUpdatingABranch()
    {
        assertThat(webhooks.parse(delivery("push", UPDATED_MAIN), SECRET)).isEqualTo(new BranchPush(DELIVERY, "main", Change.UPDATED, MAIN_BEFORE, SECOND, List.of(
                new PushedCommit(FIRST, "[ADD] sale_extra: discount lines", "Mona Lisa Octocat", "mona@acme.example"),
                new PushedCommit(SECOND, "[FIX] sale_extra: rounding of discounts\n\nThe total was off by a cent.", "Hubot", "hubot@acme.example"))));
    }

    @Test
    void testPushCreatingABranch()
    {
        String payload = push("refs/heads/17.0-invoice", ZEROS, FIRST, true, false, "\"refs/heads/main\"",
                commit(FIRST, "[ADD] account_extra", "Mona Lisa Octocat", "mona@acme.example", "account_extra/__manifest__.py"));

        assertThat(webhooks.parse(delivery("push", payload), SECRET)).isEqualTo(new BranchPush(DELIVERY, "17.0-invoice", Change.CREATED, ZEROS, FIRST, List.of(
                new PushedCommit(FIRST, "[ADD] account_extra", "Mona Lisa Octocat", "mona@acme.example"))));
    }

    @Test
    void testPushDeletingABranch()
    {
        String payload = push("refs/heads/17.0-invoice", FIRST, ZEROS, false, true, "null", null);

        assertThat(webhooks.parse(delivery("push", payload), SECRET)).isEqualTo(new BranchPush(DELIVERY, "17.0-invoice", Change.DELETED, FIRST, ZEROS, List.of()));
    }

    @Test
    void testZeroCommitIdsSayCreatedOrDeletedEvenWithoutTheFlags()
    {
        String created = push("refs/heads/staging", ZEROS, FIRST, false, false, "null", null);
        String deleted = push("refs/heads/staging", FIRST, ZEROS, false, false, "null", null);

        assertThat(webhooks.parse(delivery("push", created), SECRET)).extracting(event -> ((BranchPush) event).change()).isEqualTo(Change.CREATED);
        assertThat(webhooks.parse(delivery("push", deleted), SECRET)).extracting(event -> ((BranchPush) event).change()).isEqualTo(Change.DELETED);
    }

    @Test
    void testBranchNamesWithUnusualCharacters()
    {
        String unicode = push("refs/heads/feature/ünïcode", MAIN_BEFORE, SECOND, false, false, "null", null);
        String escaped = push("refs/heads/feature/\\u00fcn\\u00efcode", MAIN_BEFORE, SECOND, false, false, "null", null);
        String hash = push("refs/heads/fix#1", MAIN_BEFORE, SECOND, false, false, "null", null);

        assertThat(webhooks.parse(delivery("push", unicode), SECRET)).extracting(event -> ((BranchPush) event).branch()).isEqualTo("feature/ünïcode");
        assertThat(webhooks.parse(delivery("push", escaped), SECRET)).extracting(event -> ((BranchPush) event).branch()).isEqualTo("feature/ünïcode");
        assertThat(webhooks.parse(delivery("push", hash), SECRET)).extracting(event -> ((BranchPush) event).branch()).isEqualTo("fix#1");
    }

    @Test
    void testCommitWithoutMessageOrAuthorEmail()
    {
        String bare = "{\"id\": \"%s\", \"message\": \"\", \"author\": {\"name\": \"ci\"}}".formatted(FIRST);
        String payload = push("refs/heads/main", MAIN_BEFORE, FIRST, false, false, "null", bare);

        assertThat(webhooks.parse(delivery("push", payload), SECRET)).extracting(event -> ((BranchPush) event).commits())
                .isEqualTo(List.of(new PushedCommit(FIRST, "", "ci", "")));
    }

    @Test
    void testTagPushIsIgnored()
    {
        String payload = push("refs/tags/v17.0.1.0.0", ZEROS, SECOND, true, false, "\"refs/heads/main\"", null);

        assertThat(webhooks.parse(delivery("push", payload), SECRET)).isInstanceOfSatisfying(WebhookEvent.Ignored.class, ignored -> {
            assertThat(ignored.deliveryId()).isEqualTo(DELIVERY);
            assertThat(ignored.eventType()).isEqualTo("push");
            assertThat(ignored.reason()).contains("tag v17.0.1.0.0");
        });
    }

    @Test
    void testOtherEventsAreIgnoredPolitely()
    {
        String issueOpened = """
                {
                  "action": "opened",
                  "issue": {
                    "url": "https://api.github.com/repos/acme/odoo-addons/issues/42",
                    "html_url": "https://github.com/acme/odoo-addons/issues/42",
                    "id": 2187614532,
                    "number": 42,
                    "title": "Discount lines are rounded twice",
                    "user": %s,
                    "labels": [],
                    "state": "open",
                    "locked": false,
                    "assignee": null,
                    "comments": 0,
                    "created_at": "2024-03-14T10:02:11Z",
                    "updated_at": "2024-03-14T10:02:11Z",
                    "closed_at": null,
                    "author_association": "MEMBER",
                    "body": "Steps to reproduce: ..."
                  },
                  "repository": %s,
                  "sender": %s
                }
                """.formatted(sender(), repository(), sender());

        assertThat(webhooks.parse(delivery("issues", issueOpened), SECRET)).isInstanceOfSatisfying(WebhookEvent.Ignored.class, ignored -> {
            assertThat(ignored.deliveryId()).isEqualTo(DELIVERY);
            assertThat(ignored.eventType()).isEqualTo("issues");
            assertThat(ignored.reason()).startsWith("Thank you").contains("issues event").contains("Just the push event.");
        });
    }

    @Test
    void testGitHubsDocumentedSignatureExample()
    {
        // GitHub's "Validating webhook deliveries" example: this secret and body give this signature.
        Map<String, String> headers = Map.of(
                "X-GitHub-Event", "ping",
                "X-GitHub-Delivery", DELIVERY,
                "X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        WebhookRequest request = new WebhookRequest(headers, "Hello, World!".getBytes(StandardCharsets.UTF_8));

        // verified, then refused only because the body is not JSON
        assertThatThrownBy(() -> webhooks.parse(request, "It's a Secret to Everybody"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> webhooks.parse(request, "It's a Secret to Everybody!"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.UNAUTHENTICATED.toErrorCode()));
    }

    @Test
    void testSignatureHeaderNameAndHexAreNotCaseSensitive()
    {
        byte[] body = PING.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of(
                "x-github-event", "ping",
                "x-github-delivery", DELIVERY,
                "x-hub-signature-256", "sha256=" + HexFormat.of().withUpperCase().formatHex(hmac(SECRET, body)));

        assertThat(webhooks.parse(new WebhookRequest(headers, body), SECRET)).isEqualTo(new WebhookEvent.Ping(DELIVERY));
    }

    @Test
    void testRejectsASignatureMadeWithAnotherSecret()
    {
        byte[] body = UPDATED_MAIN.getBytes(StandardCharsets.UTF_8);
        String otherSignature = "sha256=" + HexFormat.of().formatHex(hmac("an-old-secret", body));
        String expectedSignature = HexFormat.of().formatHex(hmac(SECRET, body));

        assertDenied(request("push", body, otherSignature), SECRET)
                .hasMessageContaining("does not match")
                .hasMessageContaining(DELIVERY)
                .hasMessageContaining("webhook secret")
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining(expectedSignature);
    }

    @Test
    void testRejectsAMissingSignature()
    {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", DELIVERY);
        byte[] body = UPDATED_MAIN.getBytes(StandardCharsets.UTF_8);
        // the SHA-1 signature of old webhooks is not enough
        headers.put("X-Hub-Signature", "sha1=" + "7d38cdd689735b008b3c702edd92eea23791c5f6");

        assertDenied(new WebhookRequest(headers, body), SECRET)
                .hasMessageContaining("no X-Hub-Signature-256 header")
                .hasMessageContaining("webhook secret");
    }

    @Test
    void testRejectsMalformedSignatures()
    {
        byte[] body = UPDATED_MAIN.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(hmac(SECRET, body));
        for (String malformed : List.of("", hex, "sha1=" + hex, "sha256=", "sha256=" + hex.substring(1), "sha256=" + hex + "00", "sha256=" + hex.replace(hex.charAt(0), 'g'),
                "sha256=" + hex + ", sha256=" + hex)) {
            assertDenied(request("push", body, malformed), SECRET)
                    .hasMessageContaining("is not \"sha256=\" followed by 64 hexadecimal digits")
                    .hasMessageContaining("webhook secret")
                    .hasMessageNotContaining(SECRET);
        }
    }

    @Test
    void testRejectsABodyAlteredAfterSigning()
    {
        byte[] signed = UPDATED_MAIN.getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(hmac(SECRET, signed));
        byte[] otherBranch = UPDATED_MAIN.replace("refs/heads/main", "refs/heads/prod").getBytes(StandardCharsets.UTF_8);
        byte[] extraSpace = (UPDATED_MAIN + " ").getBytes(StandardCharsets.UTF_8);
        byte[] reencoded = UPDATED_MAIN.replace("Mona Lisa Octocat", "Mona Lisa Octocät").getBytes(StandardCharsets.ISO_8859_1);

        assertDenied(request("push", otherBranch, signature), SECRET).hasMessageContaining("does not match");
        assertDenied(request("push", extraSpace, signature), SECRET).hasMessageContaining("does not match");
        assertDenied(request("push", reencoded, signature), SECRET).hasMessageContaining("does not match");
    }

    @Test
    void testRejectsEveryDeliveryWhenTheProjectHasNoSecret()
    {
        byte[] body = PING.getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(hmac("x", body));

        assertDenied(request("ping", body, signature), "").hasMessageContaining("has no webhook secret");
        assertDenied(request("ping", body, signature), "  ").hasMessageContaining("has no webhook secret");
    }

    @Test
    void testChecksTheSignatureBeforeAnythingElse()
    {
        WebhookRequest unsigned = new WebhookRequest(Map.of(), "not even json".getBytes(StandardCharsets.UTF_8));

        assertDenied(unsigned, SECRET).hasMessageContaining("Rejected a webhook delivery");
    }

    @Test
    void testDoesNotRepeatAnUnverifiedDeliveryIdThatLooksOdd()
    {
        byte[] body = PING.getBytes(StandardCharsets.UTF_8);
        WebhookRequest request = new WebhookRequest(Map.of("X-GitHub-Event", "ping", "X-GitHub-Delivery", "x\r\nINFO forged log line"), body);

        assertDenied(request, SECRET).hasMessageNotContaining("forged");
    }

    @Test
    void testSignedDeliveryWithoutDeliveryIdOrEventIsInvalid()
    {
        byte[] body = PING.getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(hmac(SECRET, body));

        assertInvalid(new WebhookRequest(Map.of("X-GitHub-Event", "ping", "X-Hub-Signature-256", signature), body))
                .hasMessageContaining("no X-GitHub-Delivery header");
        assertInvalid(new WebhookRequest(Map.of("X-GitHub-Delivery", DELIVERY, "X-Hub-Signature-256", signature), body))
                .hasMessageContaining("no X-GitHub-Event header");
        assertInvalid(new WebhookRequest(Map.of("X-GitHub-Event", "push\nforged", "X-GitHub-Delivery", DELIVERY, "X-Hub-Signature-256", signature), body))
                .hasMessageContaining("not an event name");
    }

    @Test
    void testSignedButMalformedBodiesAreInvalid()
    {
        for (String body : List.of("", "{\"ref\": \"refs/heads/main\"", "[1, 2]", "\"push\"", "{\"zen\": \"Keep it logically awesome.\"} {}", "{\"a\": 1, \"a\": 2}")) {
            assertInvalid(delivery("ping", body)).hasMessageContaining(DELIVERY).hasMessageContaining("application/json");
        }
    }

    // GitHub's default content type: the JSON URL-encoded in a 'payload' field, the signature over the encoded body.
    @Test
    void testFormEncodedPingIsVerifiedAndRead()
    {
        WebhookRequest request = formDelivery("ping", "payload=" + URLEncoder.encode(PING, StandardCharsets.UTF_8), SECRET);

        assertThat(webhooks.parse(request, SECRET)).isEqualTo(new WebhookEvent.Ping(DELIVERY));
    }

    @Test
    void testFormEncodedPushIsReadAsTheJsonOne()
    {
        WebhookEvent fromForm = webhooks.parse(formDelivery("push", "payload=" + URLEncoder.encode(UPDATED_MAIN, StandardCharsets.UTF_8), SECRET), SECRET);

        assertThat(fromForm).isEqualTo(webhooks.parse(delivery("push", UPDATED_MAIN), SECRET));
    }

    @Test
    void testFormEncodedSignatureCoversTheEncodedBody()
    {
        String form = "payload=" + URLEncoder.encode(PING, StandardCharsets.UTF_8);
        // Signed over the decoded JSON instead of the raw body: not what GitHub signs.
        Map<String, String> headers = Map.of(
                "Content-Type", "application/x-www-form-urlencoded",
                "X-GitHub-Event", "ping",
                "X-GitHub-Delivery", DELIVERY,
                "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(hmac(SECRET, PING.getBytes(StandardCharsets.UTF_8))));

        assertDenied(new WebhookRequest(headers, form.getBytes(StandardCharsets.UTF_8)), SECRET).hasMessageContaining("does not match");
    }

    @Test
    void testFormEncodedDeliveryWithoutPayloadIsInvalid()
    {
        assertInvalid(formDelivery("ping", "zen=" + URLEncoder.encode(PING, StandardCharsets.UTF_8), SECRET)).hasMessageContaining("no 'payload' field");
        assertInvalid(formDelivery("ping", "payload=%7B%zz", SECRET)).hasMessageContaining("not URL-encoded");
        assertInvalid(formDelivery("ping", "payload=" + URLEncoder.encode("[1]", StandardCharsets.UTF_8), SECRET)).hasMessageContaining("not a JSON object");
    }

    private static WebhookRequest formDelivery(String event, String form, String secret)
    {
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of(
                "Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
                "X-GitHub-Event", event,
                "X-GitHub-Delivery", DELIVERY,
                "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(hmac(secret, body))), body);
    }

    @Test
    void testSignedPushWithoutRefOrCommitIdsIsInvalid()
    {
        assertInvalid(delivery("push", "{\"before\": \"%s\", \"after\": \"%s\"}".formatted(MAIN_BEFORE, SECOND))).hasMessageContaining("\"ref\"");
        assertInvalid(delivery("push", "{\"ref\": \"refs/heads/main\", \"after\": \"%s\"}".formatted(SECOND))).hasMessageContaining("\"before\"");
        assertInvalid(delivery("push", "{\"ref\": \"refs/heads/main\", \"before\": \"%s\", \"after\": \"HEAD\"}".formatted(MAIN_BEFORE))).hasMessageContaining("\"after\"");
        assertInvalid(delivery("push", push("refs/heads/main", MAIN_BEFORE, SECOND, false, false, "null", "{\"message\": \"no id\"}"))).hasMessageContaining("\"id\"");
        assertInvalid(delivery("push", UPDATED_MAIN.replace("\"commits\": [", "\"commits\": {\"x\": [").replace("],\n  \"head_commit\"", "]},\n  \"head_commit\"")))
                .hasMessageContaining("\"commits\" is not an array");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertDenied(WebhookRequest request, String secret)
    {
        return assertThatThrownBy(() -> webhooks.parse(request, secret))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.UNAUTHENTICATED.toErrorCode()));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(WebhookRequest request)
    {
        return assertThatThrownBy(() -> webhooks.parse(request, SECRET))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
    }

    private static WebhookRequest delivery(String event, String payload)
    {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return request(event, body, "sha256=" + HexFormat.of().formatHex(hmac(SECRET, body)));
    }

    private static WebhookRequest request(String event, byte[] body, String signature)
    {
        // the headers GitHub sends with a delivery
        return new WebhookRequest(Map.of(
                "Accept", "*/*",
                "Content-Type", "application/json",
                "User-Agent", "GitHub-Hookshot/8f3c4b2",
                "X-GitHub-Delivery", DELIVERY,
                "X-GitHub-Event", event,
                "X-GitHub-Hook-ID", "468117063",
                "X-GitHub-Hook-Installation-Target-ID", "770212345",
                "X-GitHub-Hook-Installation-Target-Type", "repository",
                "X-Hub-Signature-256", signature), body);
    }

    private static byte[] hmac(String secret, byte[] body)
    {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        }
        catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String push(String ref, String before, String after, boolean created, boolean deleted, String baseRef, String commit)
    {
        return """
                {
                  "ref": "%s",
                  "before": "%s",
                  "after": "%s",
                  "repository": %s,
                  "pusher": {"name": "octocat", "email": "octocat@github.com"},
                  "sender": %s,
                  "created": %s,
                  "deleted": %s,
                  "forced": false,
                  "base_ref": %s,
                  "compare": "https://github.com/acme/odoo-addons/compare/%s",
                  "commits": [%s],
                  "head_commit": %s
                }
                """.formatted(ref, before, after, repository(), sender(), created, deleted, baseRef, after.substring(0, 12),
                commit == null ? "" : commit, commit == null ? "null" : commit);
    }

    private static String commit(String id, String message, String name, String email, String modified)
    {
        return """
                {
                  "id": "%1$s",
                  "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
                  "distinct": true,
                  "message": "%2$s",
                  "timestamp": "2024-03-14T10:15:32+01:00",
                  "url": "https://github.com/acme/odoo-addons/commit/%1$s",
                  "author": {"name": "%3$s", "email": "%4$s", "username": "octocat"},
                  "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
                  "added": [],
                  "removed": [],
                  "modified": ["%5$s"]
                }""".formatted(id, message, name, email, modified);
    }

    private static String repository()
    {
        return """
                {
                    "id": 770212345,
                    "node_id": "R_kgDOLeXh-Q",
                    "name": "odoo-addons",
                    "full_name": "acme/odoo-addons",
                    "private": true,
                    "owner": {"name": "acme", "email": null, "login": "acme", "id": 1234567, "type": "Organization"},
                    "html_url": "https://github.com/acme/odoo-addons",
                    "clone_url": "https://github.com/acme/odoo-addons.git",
                    "ssh_url": "git@github.com:acme/odoo-addons.git",
                    "default_branch": "main",
                    "master_branch": "main"
                  }""";
    }

    private static String sender()
    {
        return """
                {"login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": false}""";
    }
}
