/**
 * sh-core's own {@link sh.stagehand.spi.backup.BackupStore}: a directory on a local or mounted disk.
 */
package sh.stagehand.core.backup;
