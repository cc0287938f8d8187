/**
 * PostgreSQL for Stagehand: the {@link sh.stagehand.spi.database.DatabaseProvider} Odoo's databases
 * live in ({@code database.type=postgres}).
 */
package sh.stagehand.postgres;
