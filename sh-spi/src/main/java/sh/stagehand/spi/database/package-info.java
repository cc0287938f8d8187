/**
 * Where build databases live: created, listed, measured and dropped by name, and reached from
 * inside a container with {@link sh.stagehand.spi.database.DatabaseConnection}.
 */
package sh.stagehand.spi.database;
