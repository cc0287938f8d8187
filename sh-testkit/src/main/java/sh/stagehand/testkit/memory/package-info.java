/**
 * In-memory providers for unit tests of what the platform decides: a runtime whose containers are
 * programs on threads ({@link sh.stagehand.testkit.memory.InMemoryRuntimeProvider}), databases as
 * tables of rows ({@link sh.stagehand.testkit.memory.InMemoryDatabaseProvider}), repositories a
 * test commits to ({@link sh.stagehand.testkit.memory.InMemoryVcsProvider}) and a backup store
 * ({@link sh.stagehand.testkit.memory.InMemoryBackupStore}), offered to a platform by
 * {@link sh.stagehand.testkit.memory.InMemoryProviders}. They keep what a caller of the SPI can
 * observe, not what only a real engine can (isolation between tenants, privileges): integration
 * tests use the real ones.
 */
package sh.stagehand.testkit.memory;
