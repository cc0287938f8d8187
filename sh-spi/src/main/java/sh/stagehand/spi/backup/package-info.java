/**
 * Where backups go: an object store of keys, bytes, metadata and a checksum. A backup is written to
 * several stores; a missing or corrupt replica is found by its checksum.
 */
package sh.stagehand.spi.backup;
