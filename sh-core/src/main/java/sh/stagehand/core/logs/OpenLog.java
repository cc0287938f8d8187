package sh.stagehand.core.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A log being written: its file, open for appending on its first line, the sources that feed it,
 * and what its followers wait on (the lines appended so far, whether it is closed). Thread-safe.
 */
final class OpenLog
{
    private static final Logger log = LoggerFactory.getLogger(OpenLog.class);

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
