package sh.stagehand.github.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookEvent.BranchPush;
import sh.stagehand.spi.vcs.WebhookEvent.PushedCommit;
import sh.stagehand.spi.vcs.WebhookRequest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Verifies and reads GitHub webhook deliveries: the {@code X-Hub-Signature-256} header must be the
 * HMAC-SHA256 of the raw body under the project's secret; then {@code ping} and branch {@code push}
 * events are understood and every other event is {@link WebhookEvent.Ignored}. Both content types
 * a GitHub webhook may be set to are read: {@code application/json}, and GitHub's default
 * {@code application/x-www-form-urlencoded}, whose {@code payload} field holds the JSON.
 * Thread-safe.
 *
 * <p>GitHub signs the body only: the headers (event type, delivery id) are taken as sent.
 */
public final class GitHubWebhooks
{
    public static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    public static final String EVENT_HEADER = "X-GitHub-Event";
    public static final String DELIVERY_HEADER = "X-GitHub-Delivery";

    private static final String SIGNATURE_PREFIX = "sha256=";
    private static final String FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
    private static final String FORM_PAYLOAD_FIELD = "payload";
    private static final String HMAC_ALGORITHM = "HmacSHA256";
    private static final String BRANCH_PREFIX = "refs/heads/";
    private static final String TAG_PREFIX = "refs/tags/";
    private static final Pattern HEX_SIGNATURE = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");
    private static final Pattern ZEROS = Pattern.compile("0+");
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    // what is safe to repeat in a message before the delivery is verified
    private static final Pattern PRINTABLE_DELIVERY_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final String CHECK_THE_SECRET = "Nothing in it was acted on. If the delivery came from GitHub, check that the secret in the webhook's settings on GitHub "
            + "(Settings > Webhooks) is the project's webhook secret in Stagehand";

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * @throws StagehandException {@code UNAUTHENTICATED} if the secret is blank or the signature is
     *         missing, malformed or wrong; {@code INVALID_ARGUMENT} if a signed delivery has no event
     *         type or delivery id, is not JSON, or is a push without its ref and commit ids
     */
    public WebhookEvent parse(WebhookRequest request, String secret)
    {
        requireNonNull(request, "request is null");
        requireNonNull(secret, "secret is null");
        verifySignature(request, secret);

        String deliveryId = request.header(DELIVERY_HEADER).map(String::strip).filter(id -> !id.isEmpty())
                .orElseThrow(() -> invalid("Cannot read a signed webhook delivery: it has no " + DELIVERY_HEADER + " header. GitHub sends one with every delivery; "
                        + "check that the proxy in front of Stagehand passes the X-GitHub-* headers through"));
        String eventType = request.header(EVENT_HEADER).map(String::strip)
                .orElseThrow(() -> invalid("Cannot read webhook delivery " + deliveryId + ": it has no " + EVENT_HEADER + " header. GitHub sends one with every delivery; "
                        + "check that the proxy in front of Stagehand passes the X-GitHub-* headers through"));
        if (!EVENT_TYPE.matcher(eventType).matches()) {
            throw invalid("Cannot read webhook delivery " + deliveryId + ": its " + EVENT_HEADER + " header is not an event name such as push or ping");
        }
        JsonNode payload = readPayload(request, deliveryId);
        return switch (eventType) {
            case "ping" -> new WebhookEvent.Ping(deliveryId);
            case "push" -> push(deliveryId, payload);
            default -> new WebhookEvent.Ignored(deliveryId, eventType, "Thank you; Stagehand builds on push events only, so it has nothing to do for a " + eventType
                    + " event. To stop sending these, choose \"Just the push event.\" in the webhook's settings");
        };
    }

    private static void verifySignature(WebhookRequest request, String secret)
    {
        String delivery = request.header(DELIVERY_HEADER)
                .map(String::strip)
                .filter(id -> PRINTABLE_DELIVERY_ID.matcher(id).matches())
                .map(id -> "webhook delivery " + id)
                .orElse("a webhook delivery");
        if (secret.isBlank()) {
            throw denied("Rejected " + delivery + ": the project has no webhook secret, so no delivery can be verified. Nothing in it was acted on. "
                    + "Give the project a webhook secret and set the same secret in the webhook's settings on GitHub (Settings > Webhooks)");
        }
        Optional<String> header = request.header(SIGNATURE_HEADER).map(String::strip);
        if (header.isEmpty()) {
            throw denied("Rejected " + delivery + ": it has no " + SIGNATURE_HEADER + " header, which GitHub sends only when the webhook has a secret. " + CHECK_THE_SECRET);
        }
        String value = header.get();
        if (!value.regionMatches(true, 0, SIGNATURE_PREFIX, 0, SIGNATURE_PREFIX.length())
                || !HEX_SIGNATURE.matcher(value.substring(SIGNATURE_PREFIX.length())).matches()) {
            throw denied("Rejected " + delivery + ": its " + SIGNATURE_HEADER + " header is not \"" + SIGNATURE_PREFIX + "\" followed by 64 hexadecimal digits. "
                    + CHECK_THE_SECRET);
        }
        byte[] received = HexFormat.of().parseHex(value.substring(SIGNATURE_PREFIX.length()));
        byte[] expected = hmacSha256(secret, request.body());
        if (!MessageDigest.isEqual(expected, received)) {
            throw denied("Rejected " + delivery + ": its " + SIGNATURE_HEADER + " signature does not match its body signed with the project's webhook secret. "
                    + CHECK_THE_SECRET);
        }
    }

    private static byte[] hmacSha256(String secret, byte[] body)
    {
        try {
            Mac mac = Mac.getInstance(HMAC_ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_ALGORITHM));
            return mac.doFinal(body);
        }
        catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("Every JDK has " + HMAC_ALGORITHM, e);
        }
    }

    private JsonNode readPayload(WebhookRequest request, String deliveryId)
    {
        String contentType = request.header("Content-Type").orElse("").strip().toLowerCase(Locale.ROOT);
        byte[] json = contentType.startsWith(FORM_CONTENT_TYPE) ? formPayload(request.body(), deliveryId) : request.body();
        JsonNode payload;
        try {
            payload = mapper.readTree(json);
        }
        catch (JacksonException e) {
            throw invalid("Cannot read webhook delivery " + deliveryId + ": its body is signed but is not JSON (" + e.getOriginalMessage()
                    + "). GitHub sends application/json or application/x-www-form-urlencoded with the JSON in a 'payload' field; check the proxy in front of Stagehand", e);
        }
        catch (IOException e) {
            throw invalid("Cannot read webhook delivery " + deliveryId + ": " + e.getMessage(), e);
        }
        if (payload == null || !payload.isObject()) {
            throw invalid("Cannot read webhook delivery " + deliveryId + ": its body is signed but is not a JSON object, as GitHub's payloads are (sent as application/json or form-encoded)");
        }
        return payload;
    }

    /**
     * GitHub's default content type, {@code application/x-www-form-urlencoded}, carries the JSON
     * payload URL-encoded in a {@code payload} field; the signature covers the encoded body.
     */
    private static byte[] formPayload(byte[] body, String deliveryId)
    {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String field : form.split("&")) {
            int equals = field.indexOf('=');
            String name = equals < 0 ? field : field.substring(0, equals);
            if (name.equals(FORM_PAYLOAD_FIELD)) {
                try {
                    return URLDecoder.decode(equals < 0 ? "" : field.substring(equals + 1), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                }
                catch (IllegalArgumentException e) {
                    throw invalid("Cannot read webhook delivery " + deliveryId + ": its form-encoded 'payload' field is not URL-encoded (" + e.getMessage() + ")", e);
                }
            }
        }
        throw invalid("Cannot read webhook delivery " + deliveryId + ": it is form-encoded but has no 'payload' field, where GitHub puts the JSON payload");
    }

    private static WebhookEvent push(String deliveryId, JsonNode payload)
    {
        String ref = requiredText(payload, "ref", deliveryId);
        if (ref.startsWith(TAG_PREFIX)) {
            return new WebhookEvent.Ignored(deliveryId, "push", "Thank you; Stagehand builds branches, not tags, so it has nothing to do for the push of tag "
                    + ref.substring(TAG_PREFIX.length()));
        }
        if (!ref.startsWith(BRANCH_PREFIX) || ref.length() == BRANCH_PREFIX.length()) {
            return new WebhookEvent.Ignored(deliveryId, "push", "Thank you; Stagehand builds branches only, so it has nothing to do for a push to " + ref);
        }
        String branch = ref.substring(BRANCH_PREFIX.length());
        String before = commitId(payload, "before", deliveryId);
        String after = commitId(payload, "after", deliveryId);
        BranchPush.Change change;
        if (payload.path("deleted").asBoolean(false) || ZEROS.matcher(after).matches()) {
            change = BranchPush.Change.DELETED;
        }
        else if (payload.path("created").asBoolean(false) || ZEROS.matcher(before).matches()) {
            change = BranchPush.Change.CREATED;
        }
        else {
            change = BranchPush.Change.UPDATED;
        }
        return new BranchPush(deliveryId, branch, change, before, after, commits(payload, deliveryId));
    }

    private static List<PushedCommit> commits(JsonNode payload, String deliveryId)
    {
        JsonNode commits = payload.path("commits");
        if (commits.isMissingNode() || commits.isNull()) {
            return List.of();
        }
        if (!commits.isArray()) {
            throw invalid("Cannot read push delivery " + deliveryId + ": its \"commits\" is not an array");
        }
        List<PushedCommit> result = new ArrayList<>(commits.size());
        for (JsonNode commit : commits) {
            JsonNode author = commit.path("author");
            result.add(new PushedCommit(
                    commitId(commit, "id", deliveryId),
                    optionalText(commit, "message"),
                    optionalText(author, "name"),
                    optionalText(author, "email")));
        }
        return result;
    }

    private static String commitId(JsonNode node, String field, String deliveryId)
    {
        String value = requiredText(node, field, deliveryId);
        if (!COMMIT_ID.matcher(value).matches()) {
            throw invalid("Cannot read push delivery " + deliveryId + ": its \"" + field + "\" is not a commit id of 40 or 64 hexadecimal digits");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    private static String requiredText(JsonNode node, String field, String deliveryId)
    {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw invalid("Cannot read push delivery " + deliveryId + ": it has no \"" + field + "\" text; GitHub's push payloads always have one");
        }
        return value.textValue();
    }

    // Git allows an empty message or author e-mail; GitHub then sends "" (or, rarely, nothing).
    private static String optionalText(JsonNode node, String field)
    {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.textValue() : "";
    }

    private static StagehandException denied(String message)
    {
        return new StagehandException(StandardErrorCode.UNAUTHENTICATED, message);
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, message);
    }

    private static StagehandException invalid(String message, Throwable cause)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, message, cause);
    }
}
