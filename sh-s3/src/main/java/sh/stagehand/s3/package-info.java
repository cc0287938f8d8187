/**
 * A {@link sh.stagehand.spi.backup.BackupStore} on S3-compatible object storage.
 */
package sh.stagehand.s3;
