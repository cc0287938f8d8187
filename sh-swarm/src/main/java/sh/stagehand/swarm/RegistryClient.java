package sh.stagehand.swarm;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The cluster's image registry, through its HTTP API (Docker Registry HTTP API V2, as Debian's
 * {@code docker-registry} serves it): whether it has an image, and its removal. Thread-safe.
 */
final class RegistryClient
{
    private static final String MANIFESTS = "application/vnd.docker.distribution.manifest.v2+json";

    private final String registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RegistryClient(String registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
    }

    boolean has(String image)
    {
        return digest(image).isPresent();
    }

    /**
     * @return whether it had the image
     */
    boolean delete(String image)
    {
        Optional<String> digest = digest(image);
        if (digest.isEmpty()) {
            return false;
        }
        HttpResponse<Void> deleted = send(HttpRequest.newBuilder(manifest(image, digest.get())).DELETE(), image);
        return deleted.statusCode() == 202 || deleted.statusCode() == 200;
    }

    private Optional<String> digest(String image)
    {
        HttpResponse<Void> head = send(HttpRequest.newBuilder(manifest(image, tag(image))).method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Accept", MANIFESTS), image);
        return head.statusCode() == 200 ? head.headers().firstValue("Docker-Content-Digest") : Optional.empty();
    }

    private HttpResponse<Void> send(HttpRequest.Builder request, String image)
    {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot reach the registry " + registry + " about " + image + ": " + e + ". Check that it runs", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("asking the registry about " + image, e);
        }
    }

    private URI manifest(String image, String reference)
    {
        return URI.create("http://" + registry + "/v2/" + repository(image) + "/manifests/" + reference);
    }

    private static String repository(String image)
    {
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
    }

    private static String tag(String image)
    {
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
    }
}
