/**
 * Test equipment for Stagehand and its plugins: fixtures for the real parts the tests use
 * ({@link sh.stagehand.testkit.TestingPostgres}, {@link sh.stagehand.testkit.TestingDocker}), set
 * up by {@code bin/env-up}; {@link sh.stagehand.testkit.TestingOdooServer}, which runs the
 * Odoo-compatible test server image as a platform runs Odoo's; an abstract contract test per SPI
 * ({@code Base...ContractTest}) that every implementation extends; and, for embedders' own tests,
 * Testcontainers containers of the images {@code bin/env-up} builds
 * ({@link sh.stagehand.testkit.OdooContainer}, {@link sh.stagehand.testkit.DebianPostgreSqlContainer}),
 * which need no registry.
 *
 * <p>When a real part is missing, a fixture fails the test under CI ({@code CI=true}) with a
 * message that says how to start it, and elsewhere aborts it, saying so plainly.
 */
package sh.stagehand.testkit;
