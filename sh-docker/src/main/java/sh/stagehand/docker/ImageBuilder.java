package sh.stagehand.docker;

import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.docker.internal.BuildContext;
import sh.stagehand.docker.internal.TenantNetworks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LineSplitter;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Builds a build's image: its base image, with the layer its recipe makes in an image of its own
 * that an unchanged recipe reuses ({@link RecipeDockerfile}), then its checkout. Nothing is pulled;
 * a build runs on the tenant's network, within the configured memory and time, its output given
 * line by line. Thread-safe.
 */
final class ImageBuilder
{
    private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);

    private final DockerConfig config;
    private final String instanceName;
    private final DockerEngine engine;
    private final TenantNetworks tenantNetworks;

    ImageBuilder(DockerConfig config, String instanceName, DockerEngine engine, TenantNetworks tenantNetworks)
    {
        this.config = requireNonNull(config, "config is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.tenantNetworks = requireNonNull(tenantNetworks, "tenantNetworks is null");
    }

    /**
     * @param pipLog what the recipe's steps say while they run
     */
    PreparedImage prepare(ImageSpec spec, LogListener pipLog)
    {
        String baseImageId = engine.call("inspect image " + spec.baseImage(), () -> {
            try {
                return engine.client().inspectImageCmd(spec.baseImage()).exec().getId();
            }
            catch (NotFoundException e) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Base image " + spec.baseImage() + " does not exist on the engine (nothing is pulled implicitly); build or pull it first", e);
            }
        });
        String requirementsImage = spec.baseImage();
        boolean reused = true;
        if (spec.recipe().isPresent()) {
            ImageRecipe recipe = spec.recipe().get();
            String baseImageUser = imageUser(spec.baseImage());
            requirementsImage = RecipeDockerfile.tag(baseImageId, spec.baseImage(), recipe, baseImageUser);
            if (!imageExists(requirementsImage)) {
                reused = false;
                pipLog.onLine(new LogLine(LogLine.Stream.STDOUT, "Making " + requirementsImage + " on " + spec.baseImage() + ": "
                        + recipe.steps().stream().map(ImageRecipe.Step::description).collect(Collectors.joining("; "))));
                buildImage(spec.sourceDirectory(), RecipeDockerfile.dockerfile(spec.baseImage(), recipe, baseImageUser), requirementsImage, Map.of(), spec.tenant(), pipLog);
            }
        }
        // The owner is uid:gid, checked by ImageSpec: nothing else reaches the Dockerfile's line.
        String dockerfile = "FROM " + requirementsImage + "\n"
                + "COPY " + spec.sourceOwner().map(owner -> "--chown=" + owner + " ").orElse("") + ". " + spec.targetDirectory() + "\n";
        buildImage(spec.sourceDirectory(), dockerfile, spec.tag(), spec.labels(), spec.tenant(), line -> log.debug("build {}: {}", spec.tag(), line.text()));
        return new PreparedImage(spec.tag(), requirementsImage, reused);
    }

    /**
     * The user {@code image} runs as, as its config says ({@code ""} for root).
     */
    String imageUser(String image)
    {
        return engine.call("inspect image " + image, () -> {
            String user = engine.client().inspectImageCmd(image).exec().getConfig().getUser();
            return user == null ? "" : user;
        });
    }

    private boolean imageExists(String image)
    {
        return engine.call("inspect image " + image, () -> {
            try {
                engine.client().inspectImageCmd(image).exec();
                return true;
            }
            catch (NotFoundException e) {
                return false;
            }
        });
    }

    // A recipe runs a requirement's own code (setup.py) in the build: on the tenant's network, so it
    // reaches what the tenant's containers reach, within a bounded memory and time.
    private void buildImage(Path sourceDirectory, String dockerfile, String tag, Map<String, String> labels, Optional<String> tenant, LogListener output)
    {
        Map<String, String> allLabels = new HashMap<>(labels);
        allLabels.put(DockerRuntimeProvider.INSTANCE_LABEL, instanceName);
        Path context = null;
        try {
            context = Files.createTempFile("stagehand-build-context-", ".tar");
            try (OutputStream stream = Files.newOutputStream(context)) {
                BuildContext.write(sourceDirectory, dockerfile, stream);
            }
            LineSplitter lines = new LineSplitter(line -> output.onLine(new LogLine(LogLine.Stream.STDOUT, line)));
            try (InputStream tar = Files.newInputStream(context)) {
                BuildImageResultCallback callback = new BuildImageResultCallback()
                {
                    @Override
                    public void onNext(BuildResponseItem item)
                    {
                        if (item.getStream() != null) {
                            lines.accept(item.getStream().getBytes(StandardCharsets.UTF_8));
                        }
                        if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                            lines.accept((item.getErrorDetail().getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                        super.onNext(item);
                    }
                };
                BuildImageCmd command = engine.streamingClient().buildImageCmd(tar)
                        .withDockerfilePath(BuildContext.DOCKERFILE)
                        .withTags(Set.of(tag))
                        .withLabels(allLabels)
                        .withPull(false)
                        .withRemove(true)
                        .withForcerm(true)
                        .withMemory(config.imageBuildMemoryBytes())
                        .withMemswap(config.imageBuildMemoryBytes());
                tenant.map(tenantNetworks::of).ifPresent(command::withNetworkMode);
                boolean done;
                try {
                    done = command.exec(callback).awaitCompletion(config.imageBuildTimeout().toMillis(), TimeUnit.MILLISECONDS);
                }
                catch (InterruptedException e) {
                    callback.close();
                    throw StagehandException.interrupted("building image " + tag, e);
                }
                if (!done) {
                    // Closing the stream makes the engine cancel the build.
                    callback.close();
                    lines.accept(("[stagehand] stopped: the build took longer than " + config.imageBuildTimeout().toSeconds() + " s ("
                            + DockerConfig.IMAGE_BUILD_TIMEOUT + ")\n").getBytes(StandardCharsets.UTF_8));
                    lines.finish();
                    throw new StagehandException(StandardErrorCode.TIMEOUT, "Building image " + tag + " took longer than " + config.imageBuildTimeout().toSeconds()
                            + " s and was stopped (the log says where it was); make the requirements install faster, or raise " + DockerConfig.IMAGE_BUILD_TIMEOUT);
                }
                callback.awaitImageId();
                lines.finish();
            }
        }
        catch (DockerClientException | DockerException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Building image " + tag + " failed: " + e.getMessage() + " (the build log says why)", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write the build context of " + tag + " from " + sourceDirectory + ": " + e, e);
        }
        finally {
            if (context != null) {
                try {
                    Files.deleteIfExists(context);
                }
                catch (IOException e) {
                    log.debug("Cannot delete {}", context, e);
                }
            }
        }
    }
}
