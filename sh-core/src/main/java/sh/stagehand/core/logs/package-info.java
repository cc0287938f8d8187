/**
 * The logs of each build (pip.log, install.log, odoo.log, ...), kept on disk and followable live.
 */
package sh.stagehand.core.logs;
