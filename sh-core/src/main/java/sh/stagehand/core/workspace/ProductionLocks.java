package sh.stagehand.core.workspace;

import jakarta.inject.Singleton;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One lock per project's production: an update holds it exclusively (one update at a time, and no
 * staging copy of a half-updated database); a staging copy holds it shared (copies run side by
 * side, production keeps serving). Fair, so that an update waiting for copies is not starved.
 * Thread-safe.
 */
@Singleton
public final class ProductionLocks
{
    private final ConcurrentMap<String, ReadWriteLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<List<String>, Lock> branches = new ConcurrentHashMap<>();

    public ReadWriteLock of(String projectId)
    {
        return locks.computeIfAbsent(projectId, id -> new ReentrantReadWriteLock(true));
    }

    public Lock ofBranch(String projectId, String branch)
    {
        return branches.computeIfAbsent(List.of(projectId, branch), key -> new ReentrantLock(true));
    }
}
