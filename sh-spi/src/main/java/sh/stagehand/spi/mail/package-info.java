/**
 * Where the mail an Odoo server sends goes: captured per build on development and staging, relayed
 * on production.
 */
package sh.stagehand.spi.mail;
