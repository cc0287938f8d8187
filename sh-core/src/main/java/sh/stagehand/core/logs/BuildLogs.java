package sh.stagehand.core.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.LineSplitter;
import sh.stagehand.spi.runtime.LogLine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Each build's logs as files under {@code <directory>/<build id>/<name>.log}, written line by line
 * and followable while they grow.
 *
 * <p>A follower first receives every line written so far, then each new one, with none lost or
 * repeated in between, then its end-of-log callback when the log is closed. Each follower reads
 * the file itself, on a thread of its own, at its own pace: a slow reader never holds up the build
 * writing the log, and no line is held in memory for it.
 *
 * <p>What a build prints is the tenant's: a line is kept up to {@link #MAX_LINE_BYTES} (a runtime's
 * line, cut at {@link LogLine#MAX_TEXT_BYTES} and marked, passes whole), and a longer one is cut and
 * marked as a runtime cuts it; reading never holds more than one such line either.
 *
 * <p>Thread-safe. {@link #close()} flushes and closes every log.
 */
public final class BuildLogs
        implements AutoCloseable
{
    /**
     * The longest line kept, in bytes of UTF-8: a runtime's longest line with its cut marker.
     */
    public static final int MAX_LINE_BYTES = LogLine.MAX_TEXT_BYTES + 128;

    private static final Logger log = LoggerFactory.getLogger(BuildLogs.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Path directory;
    private final Map<Path, OpenLog> open = new HashMap<>();
    private final Set<Path> finished = new HashSet<>();

    public BuildLogs(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Appends one line to the log (created if new).
     */
    public void append(long buildId, LogName name, String line)
    {
        openLog(path(buildId, name)).append(cut(line));
    }

    /**
     * Ties what feeds the log (e.g. a container's log stream) to it: {@link #close(long, LogName)}
     * closes the source first, so that no line comes after the log is closed.
     */
    public void attachSource(long buildId, LogName name, AutoCloseable source)
    {
        openLog(path(buildId, name)).attach(source);
    }

    /**
     * Closes the log's source, flushes and closes the log, and ends its followers. It can still be
     * read and followed.
     */
    public void close(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.remove(file);
            finished.add(file);
        }
        if (openLog != null) {
            openLog.close();
        }
    }

    /**
     * Writes what was appended to the log so far to its file ({@link #path}), for a reader of the
     * file itself.
     */
    public void flush(long buildId, LogName name)
    {
        currentLog(path(buildId, name)).ifPresent(OpenLog::flush);
    }

    /**
     * @return the lines written so far; empty if the log does not exist. All in memory: for a
     *         reader that needs them so; {@link #writeTo} streams a log of any size
     */
    public List<String> read(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        currentLog(file).ifPresent(OpenLog::flush);
        List<String> lines = new ArrayList<>();
        try (FileTail tail = new FileTail(file, lines::add)) {
            tail.readToEnd(() -> false);
            tail.finish();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
        return lines;
    }

    /**
     * Writes the log as written so far to {@code out}, streamed from its file; nothing if the log
     * does not exist.
     */
    public void writeTo(long buildId, LogName name, OutputStream out)
    {
        Path file = path(buildId, name);
        currentLog(file).ifPresent(OpenLog::flush);
        try {
            Files.copy(file, out);
        }
        catch (NoSuchFileException e) {
            // not written yet: an empty log
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Sends the log's lines so far to {@code lines}, then each new line as it is written, until the
     * returned handle is closed; {@code end} runs once when the log is closed (or already was) and
     * its last line was sent, or when {@code lines} fails.
     */
    public AutoCloseable follow(long buildId, LogName name, Consumer<String> lines, Runnable end)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.get(file);
            // A log not written yet, and not closed, will be: follow it from its first line.
            if (openLog == null && !finished.contains(file) && !Files.exists(file)) {
                openLog = open.computeIfAbsent(file, OpenLog::new);
            }
        }
        Follower follower = new Follower(file, Optional.ofNullable(openLog), lines, end);
        follower.start();
        return follower::stop;
    }

    /**
     * Deletes the log files of a build that has not written any yet in this process: files left
     * under its id by an earlier platform whose records were lost.
     */
    public void clearStale(long buildId)
    {
        for (LogName name : LogName.values()) {
            Path file = path(buildId, name);
            synchronized (open) {
                OpenLog openLog = open.get(file);
                if (openLog != null && openLog.hasWritten()) {
                    continue;
                }
                finished.remove(file);
            }
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete the stale log " + file + ": " + e, e);
            }
        }
    }

    public Path path(long buildId, LogName name)
    {
        return directory.resolve(Long.toString(buildId)).resolve(name.fileName());
    }

    @Override
    public void close()
    {
        List<OpenLog> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
            finished.addAll(open.keySet());
            open.clear();
        }
        all.forEach(OpenLog::close);
    }

    private OpenLog openLog(Path file)
    {
        synchronized (open) {
            return open.computeIfAbsent(file, OpenLog::new);
        }
    }

    private Optional<OpenLog> currentLog(Path file)
    {
        synchronized (open) {
            return Optional.ofNullable(open.get(file));
        }
    }

    /**
     * The line as kept: whole up to {@link #MAX_LINE_BYTES}, else its first
     * {@link LogLine#MAX_TEXT_BYTES} and the marker of a cut line.
     */
    static String cut(String line)
    {
        // At most three bytes of UTF-8 per char: most lines are known short without counting.
        if (line.length() <= MAX_LINE_BYTES / 3) {
            return line;
        }
        long total = utf8Length(line);
        if (total <= MAX_LINE_BYTES) {
            return line;
        }
        long kept = 0;
        int end = 0;
        while (end < line.length()) {
            char character = line.charAt(end);
            int size = Character.isHighSurrogate(character) ? 4 : utf8Length(character);
            if (kept + size > LogLine.MAX_TEXT_BYTES) {
                break;
            }
            kept += size;
            // A surrogate pair stays whole.
            end = Math.min(line.length(), end + (Character.isHighSurrogate(character) ? 2 : 1));
        }
        return line.substring(0, end) + LogLine.cutMarker(total - kept);
    }

    private static long utf8Length(String text)
    {
        long bytes = 0;
        for (int index = 0; index < text.length(); index++) {
            bytes += utf8Length(text.charAt(index));
        }
        return bytes;
    }

    // Each half of a surrogate pair counts two of its four bytes.
    private static int utf8Length(char character)
    {
        return character < 0x80 ? 1 : character < 0x800 || Character.isSurrogate(character) ? 2 : 3;
    }

    private static final class OpenLog
    {
        private final Path file;
        private final List<AutoCloseable> sources = new ArrayList<>();
        private BufferedWriter writer;
        // Lines appended so far, and whether the log is closed: what a waiting follower waits on.
        private long appended;
        private boolean closed;

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
            appended++;
            notifyAll();
        }

        synchronized boolean hasWritten()
        {
            return writer != null;
        }

        synchronized void attach(AutoCloseable source)
        {
            sources.add(source);
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

        /**
         * Flushes what was appended to the file, for a follower to read.
         *
         * @return the number of lines appended so far, or -1 if the log is closed (the file is whole)
         */
        synchronized long flushForFollower()
        {
            flush();
            return closed ? -1 : appended;
        }

        /**
         * Waits until a line is appended after the {@code seen}th, or the log is closed.
         */
        synchronized void awaitMore(long seen)
                throws InterruptedException
        {
            while (appended == seen && !closed) {
                wait();
            }
        }

        void close()
        {
            List<AutoCloseable> toClose;
            synchronized (this) {
                toClose = List.copyOf(sources);
                sources.clear();
            }
            // Outside the lock: a source may be delivering a last line right now.
            for (AutoCloseable source : toClose) {
                try {
                    source.close();
                }
                catch (Exception e) {
                    log.debug("Cannot close the source of {}", file, e);
                }
            }
            synchronized (this) {
                if (writer != null) {
                    try {
                        writer.close();
                    }
                    catch (IOException e) {
                        log.warn("Cannot close {}", file, e);
                    }
                    writer = null;
                }
                closed = true;
                notifyAll();
            }
        }
    }

    /**
     * Reads a log's file from where it left off, line by line, each line cut at
     * {@link #MAX_LINE_BYTES} as it is read. Not thread-safe.
     */
    private static final class FileTail
            implements AutoCloseable
    {
        private final Path file;
        private final LineSplitter lines;
        private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        private FileChannel channel;

        FileTail(Path file, Consumer<String> lines)
        {
            this.file = file;
            this.lines = new LineSplitter(MAX_LINE_BYTES, lines);
        }

        /**
         * Sends every whole line up to the file's current end; a line still being written waits for
         * its end.
         */
        void readToEnd(java.util.function.BooleanSupplier stopped)
                throws IOException
        {
            if (channel == null) {
                try {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                }
                catch (NoSuchFileException e) {
                    return;
                }
            }
            while (!stopped.getAsBoolean()) {
                buffer.clear();
                int read = channel.read(buffer);
                if (read <= 0) {
                    return;
                }
                lines.accept(buffer.array(), 0, read);
            }
        }

        void finish()
        {
            lines.finish();
        }

        @Override
        public void close()
                throws IOException
        {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static final class Follower
    {
        private final Path file;
        // Empty: the log was closed already, its file is whole.
        private final Optional<OpenLog> openLog;
        private final Consumer<String> lines;
        private final Runnable end;
        private volatile boolean stopped;
        private Thread thread;

        Follower(Path file, Optional<OpenLog> openLog, Consumer<String> lines, Runnable end)
        {
            this.file = file;
            this.openLog = openLog;
            this.lines = requireNonNull(lines, "lines is null");
            this.end = requireNonNull(end, "end is null");
        }

        synchronized void start()
        {
            thread = new Thread(this::deliver, "stagehand-log-follower");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void stop()
        {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        private void deliver()
        {
            try (FileTail tail = new FileTail(file, line -> {
                if (!stopped) {
                    lines.accept(line);
                }
            })) {
                while (!stopped) {
                    // Everything appended up to `seen` is in the file once flushed: read up to there, then wait for more.
                    long seen = openLog.map(OpenLog::flushForFollower).orElse(-1L);
                    tail.readToEnd(() -> stopped);
                    if (seen < 0) {
                        tail.finish();
                        break;
                    }
                    openLog.orElseThrow().awaitMore(seen);
                }
            }
            catch (InterruptedException e) {
                // stopped
                return;
            }
            catch (IOException | RuntimeException e) {
                log.debug("A follower of {} failed and is dropped", file, e);
            }
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                end.run();
            }
            catch (RuntimeException e) {
                log.debug("The end callback of a follower of {} failed", file, e);
            }
        }
    }
}
