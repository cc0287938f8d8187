package sh.stagehand.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The one place that closes what the platform opened, in reverse order of opening. Thread-safe.
 */
public final class LifecycleManager
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(LifecycleManager.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private boolean closed;

    public synchronized <T extends AutoCloseable> T manage(T resource)
    {
        if (closed) {
            closeQuietly(resource);
            throw new IllegalStateException("Platform is shut down; refusing to open " + resource);
        }
        resources.push(resource);
        return resource;
    }

    /**
     * Closes every resource, newest first, even if some fail; the first failure is rethrown with
     * the others suppressed.
     */
    @Override
    public void close()
    {
        Deque<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(resources);
            resources.clear();
        }
        RuntimeException failure = null;
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            }
            catch (Exception e) {
                log.warn("Failed to close {}", resource, e);
                if (failure == null) {
                    failure = new IllegalStateException("Failed to close " + resource, e);
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable resource)
    {
        try {
            resource.close();
        }
        catch (Exception e) {
            log.warn("Failed to close {}", resource, e);
        }
    }
}
