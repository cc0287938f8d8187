/**
 * What the platform knows about Odoo, as pure logic: reading {@code __manifest__.py} files without
 * running Python ({@link sh.stagehand.core.odoo.ManifestParser}), finding the addons of a checked-out
 * repository and choosing the modules a build installs ({@link sh.stagehand.core.odoo.AddonScanner}),
 * building the {@code odoo} command line ({@link sh.stagehand.core.odoo.OdooCommandLine}), and
 * judging a build from its log as Odoo's runbot does ({@link sh.stagehand.core.odoo.LogAnalyzer}).
 */
package sh.stagehand.core.odoo;
