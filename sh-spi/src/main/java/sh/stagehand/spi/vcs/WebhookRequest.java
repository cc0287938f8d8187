package sh.stagehand.spi.vcs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A webhook delivery as the HTTP server received it: its headers and its raw body, byte for byte
 * (a signature is computed over the raw bytes, so they must not be re-encoded).
 *
 * @param headers header names to values; names are compared case-insensitively
 * @param body the raw request body
 */
public record WebhookRequest(Map<String, String> headers, byte[] body)
{
    public WebhookRequest
    {
        headers = requireNonNull(headers, "headers is null").entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(entry -> entry.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (first, second) -> first));
        body = requireNonNull(body, "body is null").clone();
    }

    public Optional<String> header(String name)
    {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public byte[] body()
    {
        return body.clone();
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof WebhookRequest that && headers.equals(that.headers) && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode()
    {
        return headers.hashCode() * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString()
    {
        return "WebhookRequest[headers=" + headers.keySet() + ", " + body.length + " bytes]";
    }
}
