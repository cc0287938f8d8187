package sh.stagehand.core.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Each build's logs as files under {@code <directory>/<build id>/<name>.log}, written line by line
 * and followable while they grow: a follower first receives every line written so far, then each
 * new one, with none lost or repeated in between. Thread-safe.
 */
public final class BuildLogs
{
    private static final Logger log = LoggerFactory.getLogger(BuildLogs.class);

    private final Path directory;
    private final Map<Path, OpenLog> open = new HashMap<>();

    public BuildLogs(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Appends one line to the log (created if new).
     */
    public void append(long buildId, LogName name, String line)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.computeIfAbsent(file, OpenLog::new);
        }
        openLog.append(line);
    }

    /**
     * A consumer that appends to the log, for handing to a running step.
     */
    public Consumer<String> writer(long buildId, LogName name)
    {
        return line -> append(buildId, name, line);
    }

    /**
     * Flushes and closes the log; it can still be read and followed (no new lines will come).
     */
    public void close(long buildId, LogName name)
    {
        OpenLog openLog;
        synchronized (open) {
            openLog = open.remove(path(buildId, name));
        }
        if (openLog != null) {
            openLog.close();
        }
    }

    /**
     * @return the lines written so far; empty if the log does not exist
     */
    public List<String> read(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.get(file);
        }
        if (openLog != null) {
            openLog.flush();
        }
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Sends the log's lines so far to {@code follower}, then each new line as it is written, until
     * the returned handle is closed or the log is closed.
     */
    public AutoCloseable follow(long buildId, LogName name, Consumer<String> follower)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.get(file);
        }
        if (openLog == null) {
            read(buildId, name).forEach(follower);
            return () -> {};
        }
        return openLog.follow(follower);
    }

    /**
     * Deletes every log of the build.
     */
    public void delete(long buildId)
    {
        for (LogName name : LogName.values()) {
            close(buildId, name);
        }
        Path buildDirectory = directory.resolve(Long.toString(buildId));
        if (!Files.exists(buildDirectory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(buildDirectory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the logs in " + buildDirectory, e);
        }
    }

    public Path path(long buildId, LogName name)
    {
        return directory.resolve(Long.toString(buildId)).resolve(name.fileName());
    }

    private static final class OpenLog
    {
        private final Path file;
        private final List<Consumer<String>> followers = new CopyOnWriteArrayList<>();
        private BufferedWriter writer;

        OpenLog(Path file)
        {
            this.file = file;
        }

        synchronized void append(String line)
        {
            try {
                if (writer == null) {
                    Files.createDirectories(file.getParent());
                    writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                writer.write(line);
                writer.newLine();
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + file + ": " + e, e);
            }
            for (Consumer<String> follower : followers) {
                try {
                    follower.accept(line);
                }
                catch (RuntimeException e) {
                    log.debug("A follower of {} failed and is dropped", file, e);
                    followers.remove(follower);
                }
            }
        }

        synchronized AutoCloseable follow(Consumer<String> follower)
        {
            // Under the lock no line can be appended between the replay and the registration.
            flush();
            try {
                if (Files.exists(file)) {
                    Files.readAllLines(file, StandardCharsets.UTF_8).forEach(follower);
                }
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
            }
            followers.add(follower);
            return () -> followers.remove(follower);
        }

        synchronized void flush()
        {
            if (writer != null) {
                try {
                    writer.flush();
                }
                catch (IOException e) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + file + ": " + e, e);
                }
            }
        }

        synchronized void close()
        {
            followers.clear();
            if (writer != null) {
                try {
                    writer.close();
                }
                catch (IOException e) {
                    log.warn("Cannot close {}", file, e);
                }
                writer = null;
            }
        }
    }
}
