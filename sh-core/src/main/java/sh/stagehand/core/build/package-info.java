/**
 * Builds: one Odoo server on one revision of one branch, with its database, logs and verdict.
 */
package sh.stagehand.core.build;
