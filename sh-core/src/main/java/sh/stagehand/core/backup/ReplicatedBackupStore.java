package sh.stagehand.core.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Several {@link BackupStore}s kept as copies of each other (Odoo.sh keeps backups on three servers
 * in different regions): an object is written to every replica; it is read from the first that has
 * it whole, and a replica that misses it or holds it corrupt is healed from that one, and reported.
 * A write that fails on any replica fails, so that nothing is believed kept that is not.
 * Thread-safe.
 */
public final class ReplicatedBackupStore
        implements BackupStore
{
    private static final Logger log = LoggerFactory.getLogger(ReplicatedBackupStore.class);

    private final Map<String, BackupStore> replicas;
    private final AtomicLong healed = new AtomicLong();

    /**
     * @param replicas by name, in the order they are read from
     */
    public ReplicatedBackupStore(Map<String, BackupStore> replicas)
    {
        requireNonNull(replicas, "replicas is null");
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("No replica");
        }
        this.replicas = new LinkedHashMap<>(replicas);
    }

    @Override
    public StoredObject put(String key, Path source, Map<String, String> metadata)
    {
        StoredObject first = null;
        for (Map.Entry<String, BackupStore> replica : replicas.entrySet()) {
            StoredObject stored = replica.getValue().put(key, source, metadata);
            if (first != null && !first.sha256().equals(stored.sha256())) {
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Replica " + replica.getKey() + " stored " + key + " with another checksum than the first replica: "
                        + stored.sha256() + " against " + first.sha256() + "; the source changed while it was written");
            }
            first = first == null ? stored : first;
        }
        return first;
    }

    /**
     * @return the object as the first replica that has it knows it
     */
    @Override
    public Optional<StoredObject> stat(String key)
    {
        for (BackupStore replica : replicas.values()) {
            Optional<StoredObject> object = replica.stat(key);
            if (object.isPresent()) {
                return object;
            }
        }
        return Optional.empty();
    }

    @Override
    public StoredObject get(String key, Path target)
    {
        List<String> failed = new ArrayList<>();
        StagehandException lastFailure = null;
        for (Map.Entry<String, BackupStore> replica : replicas.entrySet()) {
            try {
                StoredObject object = replica.getValue().get(key, target);
                heal(key, target, object, failed);
                return object;
            }
            catch (StagehandException e) {
                if (!e.errorCode().equals(StandardErrorCode.NOT_FOUND.toErrorCode()) && !e.errorCode().equals(StandardErrorCode.CORRUPT_DATA.toErrorCode())) {
                    throw e;
                }
                log.warn("Replica {} cannot give {}: {}", replica.getKey(), key, e.getMessage());
                failed.add(replica.getKey());
                lastFailure = e;
            }
        }
        throw new StagehandException(codeOf(lastFailure),
                "No replica (" + String.join(", ", replicas.keySet()) + ") has " + key + " whole: " + lastFailure.getMessage(), lastFailure);
    }

    private void heal(String key, Path copy, StoredObject object, List<String> failed)
    {
        for (String name : failed) {
            BackupStore replica = replicas.get(name);
            StoredObject healedObject = replica.put(key, copy, object.metadata());
            if (!healedObject.sha256().equals(object.sha256())) {
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Healing " + key + " on replica " + name + " wrote another checksum");
            }
            healed.incrementAndGet();
            log.warn("Replica {} missed or held a corrupt {}; healed from another replica", name, key);
        }
    }

    /**
     * Reads the object from every replica, checking each copy against its checksum, and heals
     * the replicas that miss it or hold it corrupt from a whole copy.
     *
     * @return the replicas healed, by name
     * @throws StagehandException {@code CORRUPT_DATA} or {@code NOT_FOUND} if no replica has it whole
     */
    public List<String> check(String key, Path scratch)
    {
        List<String> failed = new ArrayList<>();
        String wholeReplica = null;
        StoredObject wholeObject = null;
        for (Map.Entry<String, BackupStore> replica : replicas.entrySet()) {
            try {
                StoredObject object = replica.getValue().get(key, scratch);
                if (wholeReplica == null) {
                    wholeReplica = replica.getKey();
                    wholeObject = object;
                }
            }
            catch (StagehandException e) {
                if (!e.errorCode().equals(StandardErrorCode.NOT_FOUND.toErrorCode()) && !e.errorCode().equals(StandardErrorCode.CORRUPT_DATA.toErrorCode())) {
                    throw e;
                }
                failed.add(replica.getKey());
            }
        }
        if (wholeReplica == null) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "No replica (" + String.join(", ", replicas.keySet()) + ") has " + key + " whole");
        }
        if (!failed.isEmpty()) {
            // The scratch copy may be a failed replica's: read a whole one again to heal from.
            replicas.get(wholeReplica).get(key, scratch);
            heal(key, scratch, wholeObject, failed);
        }
        return failed;
    }

    /**
     * @return the objects of every replica, by key (as the first replica that has each knows it)
     */
    @Override
    public List<StoredObject> list(String prefix)
    {
        Map<String, StoredObject> objects = new TreeMap<>();
        for (BackupStore replica : replicas.values()) {
            for (StoredObject object : replica.list(prefix)) {
                objects.putIfAbsent(object.key(), object);
            }
        }
        return List.copyOf(objects.values());
    }

    @Override
    public boolean delete(String key)
    {
        boolean deleted = false;
        for (BackupStore replica : replicas.values()) {
            deleted |= replica.delete(key);
        }
        return deleted;
    }

    /**
     * @return the replicas, by name
     */
    public Map<String, BackupStore> replicas()
    {
        return Map.copyOf(replicas);
    }

    /**
     * @return how many objects were healed since the store was made
     */
    public long healedObjects()
    {
        return healed.get();
    }

    @Override
    public void close()
    {
        for (BackupStore replica : replicas.values()) {
            replica.close();
        }
    }

    private static StandardErrorCode codeOf(StagehandException e)
    {
        return e.errorCode().equals(StandardErrorCode.CORRUPT_DATA.toErrorCode()) ? StandardErrorCode.CORRUPT_DATA : StandardErrorCode.NOT_FOUND;
    }

    @Override
    public String toString()
    {
        return "ReplicatedBackupStore" + replicas.keySet();
    }
}
