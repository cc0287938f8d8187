package sh.stagehand.testkit.memory;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A {@link RuntimeProvider} whose containers are {@link ContainerProgram}s running on threads of the
 * JVM, for tests of what the platform decides in milliseconds. The test says what each container
 * does ({@link ContainerProgram.Factory}): print lines, exit with a code, serve HTTP on a port
 * published on loopback, write into the host directories mounted into it. Images are the prepared
 * sources, copied under {@code directory}; a recipe's steps do not run, its image is named by the
 * base image and the recipe's content key, reused when unchanged. Thread-safe.
 */
public final class InMemoryRuntimeProvider
        implements RuntimeProvider
{
    // Unique across providers, as an engine's ids are across hosts: one platform never mistakes another's container for its own.
    private static final AtomicLong IDS = new AtomicLong();

    private final Path directory;
    private final ContainerProgram.Factory programs;
    private final Map<String, ImageSpec> images = new ConcurrentHashMap<>();
    private final Set<String> requirementsImages = ConcurrentHashMap.newKeySet();
    private final Map<String, InMemoryContainer> containers = new ConcurrentHashMap<>();

    /**
     * @param directory where prepared images keep their copy of the sources
     * @param baseImages the images that exist before any is prepared
     */
    public InMemoryRuntimeProvider(Path directory, Set<String> baseImages, ContainerProgram.Factory programs)
    {
        this.directory = requireNonNull(directory, "directory is null");
        this.programs = requireNonNull(programs, "programs is null");
        baseImages.forEach(image -> images.put(image, new ImageSpec(image, directory, "/", Optional.empty(), image, Map.of(), Optional.empty())));
    }

    @Override
    public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
    {
        if (!images.containsKey(spec.baseImage())) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No image " + spec.baseImage());
        }
        Path copy = directory.resolve("images").resolve(spec.tag().replaceAll("[^A-Za-z0-9_.-]", "_"));
        try {
            copyTree(spec.sourceDirectory(), copy);
            // The recipe's steps do not run here: its image is named by the base image and its content key.
            String requirements = "memory-requirements:" + Sha256.hex(spec.baseImage() + "\0" + spec.recipe().map(ImageRecipe::contentKey).orElse("")).substring(0, 16);
            // Without a recipe there is nothing to make: the base image serves, as reused.
            boolean reused = spec.recipe().isEmpty() || !requirementsImages.add(requirements);
            images.put(spec.tag(), new ImageSpec(spec.baseImage(), copy, spec.targetDirectory(), spec.recipe(), spec.tag(), spec.labels(), spec.tenant()));
            return new PreparedImage(spec.tag(), spec.recipe().isPresent() ? requirements : spec.baseImage(), reused);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean removeImage(String tag)
    {
        boolean used = containers.values().stream().anyMatch(container -> container.spec().image().equals(tag));
        return !used && images.remove(tag) != null;
    }

    @Override
    public ContainerInfo start(ContainerSpec spec)
    {
        ImageSpec image = images.get(spec.image());
        if (image == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No image " + spec.image());
        }
        synchronized (containers) {
            if (containers.values().stream().anyMatch(container -> container.spec().name().equals(spec.name()))) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A container named " + spec.name() + " exists");
            }
            InMemoryContainer container = new InMemoryContainer("memory-" + IDS.incrementAndGet(), spec, image.sourceDirectory());
            containers.put(container.id(), container);
            container.start(programs.programFor(spec, image));
            return container.info();
        }
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId)
    {
        return Optional.ofNullable(containers.get(containerId)).map(InMemoryContainer::info);
    }

    @Override
    public Optional<ContainerStats> stats(String containerId)
    {
        InMemoryContainer container = containers.get(containerId);
        if (container == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
        }
        return container.stats(Instant.now());
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels)
    {
        return containers.values().stream()
                .filter(container -> container.spec().labels().entrySet().containsAll(labels.entrySet()))
                .map(InMemoryContainer::info)
                .toList();
    }

    @Override
    public LogFollow followLogs(String containerId, LogListener listener)
    {
        return existing(containerId).follow(Instant.MIN, listener);
    }

    @Override
    public LogFollow followLogs(String containerId, Instant since, LogListener listener)
    {
        return existing(containerId).follow(since, listener);
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        return existing(containerId).awaitExit(timeout);
    }

    @Override
    public void stop(String containerId, Duration gracePeriod)
    {
        existing(containerId).stop(gracePeriod);
    }

    @Override
    public boolean remove(String containerId)
    {
        InMemoryContainer container = containers.remove(containerId);
        if (container == null) {
            return false;
        }
        container.stop(Duration.ZERO);
        return true;
    }

    /**
     * Containers keep running, as the SPI says: a test that stands for a platform stopped dead
     * leaves them to the next platform on this provider.
     */
    @Override
    public void close()
    {
    }

    private InMemoryContainer existing(String containerId)
    {
        InMemoryContainer container = containers.get(containerId);
        if (container == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
        }
        return container;
    }

    private static void copyTree(Path source, Path target)
            throws IOException
    {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.forEach(entries::add);
        }
        for (Path entry : entries) {
            // As a Docker build context: no .git anywhere.
            Path relative = source.relativize(entry);
            if (java.util.stream.StreamSupport.stream(relative.spliterator(), false).anyMatch(name -> name.toString().equals(".git"))) {
                continue;
            }
            Path destination = target.resolve(source.relativize(entry).toString());
            if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(destination);
            }
            else if (Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(destination.getParent());
                Files.copy(entry, destination, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
